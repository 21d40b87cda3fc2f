/* Benchmark workloads for `make bench`. Prints "<mode> <ops> <ns_per_op>".
 *   open N      open()+close() of a cached file, N times
 *   forkexec N  fork() + execve("/bin/true") + wait, N times */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *path = "/etc/hostname";
	long i, n;
	double t0, t1;

	if (argc < 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: %s open|forkexec N [path]\n", argv[0]);
		return 2;
	}
	if (argc > 3)
		path = argv[3];
	if (!strcmp(argv[1], "open")) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			int fd = open(path, O_RDONLY);

			if (fd < 0) {
				perror(path);
				return 1;
			}
			close(fd);
		}
		t1 = now_ns();
	} else if (!strcmp(argv[1], "forkexec")) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			pid_t pid = fork();
			int st;

			if (pid == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 0) {
				fprintf(stderr, "fork/exec failed\n");
				return 1;
			}
		}
		t1 = now_ns();
	} else {
		fprintf(stderr, "unknown mode %s\n", argv[1]);
		return 2;
	}
	printf("%s %ld %.1f\n", argv[1], n, (t1 - t0) / n);
	return 0;
}
