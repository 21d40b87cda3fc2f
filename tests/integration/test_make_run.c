/* The README's `make run`: its standard output is the agent's alert stream and nothing else, so that
 * `make run | jq` works. Runs the real `make run` from the repository root (the build is already up
 * to date when the integration tests run), reads /etc/shadow, and checks every stdout line. */
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/suite.h"
#include "lib/agent.h"

static char dir[64];

static pid_t read_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	int pid = 0;

	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

static void test_make_run_stdout_is_alerts(void)
{
	char ready[128], out[128], err[128], args[256], line[65536];
	struct timespec ts = {0, 50 * 1000 * 1000};
	pid_t make_pid, agent = 0;
	int i, status, lines = 0, shadow = 0;
	FILE *f;

	if (access("Makefile", R_OK) || access("scripts/deps.sh", X_OK)) {
		CU_FAIL("run the integration tests from the repository root");
		return;
	}
	snprintf(dir, sizeof(dir), "/tmp/osprey-makerun-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	snprintf(args, sizeof(args), "ARGS=--ready-file %s --stats-interval 0", ready);
	make_pid = fork();
	CU_ASSERT_FATAL(make_pid >= 0);
	if (make_pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0)
			_exit(126);
		dup2(o, 1);
		dup2(e, 2);
		/* as a user types it, not as a sub-make of `make test` */
		unsetenv("MAKEFLAGS");
		unsetenv("MFLAGS");
		unsetenv("MAKELEVEL");
		execlp("make", "make", "run", args, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1200 && !agent; i++) { /* 60 s: deps check and an up-to-date build */
		struct stat st;

		if (stat(ready, &st) == 0 && st.st_size > 0)
			agent = read_pid(ready);
		else if (waitpid(make_pid, &status, WNOHANG) == make_pid)
			break;
		else
			nanosleep(&ts, NULL);
	}
	if (!agent)
		fprintf(stderr, "\n  make run did not start the agent; see %s\n", err);
	CU_ASSERT_FATAL(agent > 0);
	CU_ASSERT_EQUAL(it_sh("cat /etc/shadow >/dev/null"), 0);
	usleep(300 * 1000);
	kill(agent, SIGINT);
	CU_ASSERT_EQUAL(waitpid(make_pid, &status, 0), make_pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	f = fopen(out, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f)) {
		cJSON *al = cJSON_Parse(line);
		const cJSON *of = cJSON_GetObjectItem(al, "output_fields");
		const cJSON *name = cJSON_GetObjectItem(of, "fd.name");

		lines++;
		if (!al)
			fprintf(stderr,
				"\n  make run printed a line that is not an alert: %.200s\n", line);
		CU_ASSERT_PTR_NOT_NULL(al);
		CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(al, "rule"));
		shadow += cJSON_IsString(name) && !strcmp(name->valuestring, "/etc/shadow");
		cJSON_Delete(al);
	}
	fclose(f);
	CU_ASSERT(lines > 0);
	CU_ASSERT(shadow > 0);
	snprintf(line, sizeof(line), "rm -rf '%s'", dir);
	it_sh(line);
}

OSP_SUITE(make_run)
{
	OSP_TEST(suite, test_make_run_stdout_is_alerts);
}
