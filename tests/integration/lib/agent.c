#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf) {
			*len = fread(buf, 1, (size_t)n, f);
			buf[*len] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static int start(struct it_agent *a, const char *mode, const char *const *extra_args)
{
	const char *bin = getenv("OSPREY_BIN") ? getenv("OSPREY_BIN") : "build/osprey";
	char ready[128], out[128], err[128];
	const char *argv[32];
	struct timespec ts = {0, 50 * 1000 * 1000};
	int i, n = 0;

	memset(a, 0, sizeof(*a));
	snprintf(a->dir, sizeof(a->dir), "/tmp/osprey-it-XXXXXX");
	if (!mkdtemp(a->dir)) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(ready, sizeof(ready), "%s/ready", a->dir);
	snprintf(out, sizeof(out), "%s/events.json", a->dir);
	snprintf(err, sizeof(err), "%s/agent.err", a->dir);
	argv[n++] = bin;
	argv[n++] = "run";
	if (mode)
		argv[n++] = mode;
	argv[n++] = "--ready-file";
	argv[n++] = ready;
	for (i = 0; extra_args && extra_args[i] && n < 30; i++)
		argv[n++] = extra_args[i];
	argv[n] = NULL;

	a->pid = fork();
	if (a->pid < 0)
		return -1;
	a->ran_pid = a->pid;
	if (a->pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0)
			_exit(126);
		/* an interrupted test run must not leave an agent behind */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(o, 1);
		dup2(e, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 400; i++) { /* 20 s: loading and verifying takes about a second */
		struct stat st;
		int status;

		if (stat(ready, &st) == 0 && st.st_size > 0)
			return 0;
		if (waitpid(a->pid, &status, WNOHANG) == a->pid) {
			size_t len = 0;
			char *txt = slurp(err, &len);

			fprintf(stderr, "agent exited before it was ready (status %d): %s\n",
				status, txt ? txt : "");
			free(txt);
			a->pid = 0;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "agent not ready after 20 s\n");
	return -1;
}

int it_agent_start(struct it_agent *a, const char *const *extra_args)
{
	return start(a, "--events", extra_args);
}

int it_agent_start_alerts(struct it_agent *a, const char *const *extra_args)
{
	return start(a, NULL, extra_args);
}

int it_agent_stop(struct it_agent *a)
{
	char path[128];
	char *txt, *line, *nl;
	size_t len = 0;
	int status;

	/* let the 10 ms drain tick pass so every record our processes produced is consumed */
	usleep(100 * 1000);
	if (a->pid > 0) {
		kill(a->pid, SIGINT);
		waitpid(a->pid, &status, 0);
		a->pid = 0;
	}
	snprintf(path, sizeof(path), "%s/agent.err", a->dir);
	txt = slurp(path, &len);
	if (txt) {
		size_t off = len > sizeof(a->err_tail) - 1 ? len - (sizeof(a->err_tail) - 1) : 0;

		snprintf(a->err_tail, sizeof(a->err_tail), "%s", txt + off);
		free(txt);
	}
	snprintf(path, sizeof(path), "%s/events.json", a->dir);
	txt = slurp(path, &len);
	if (!txt)
		return -1;
	a->events = cJSON_CreateArray();
	for (line = txt; *line; line = nl + 1) {
		cJSON *ev;

		nl = strchr(line, '\n');
		if (!nl)
			break; /* the agent was stopped mid-line: every full line is in */
		*nl = '\0';
		ev = cJSON_Parse(line);
		if (!ev) {
			fprintf(stderr, "agent printed a line that is not JSON: %.200s\n", line);
			free(txt);
			return -1;
		}
		cJSON_AddItemToArray(a->events, ev);
	}
	free(txt);
	return 0;
}

void it_agent_free(struct it_agent *a)
{
	char cmd[128];

	if (a->pid > 0) {
		kill(a->pid, SIGKILL);
		waitpid(a->pid, NULL, 0);
	}
	cJSON_Delete(a->events);
	a->events = NULL;
	if (a->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", a->dir);
		it_sh(cmd);
	}
}

const char *it_str(const cJSON *ev, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double it_num(const cJSON *ev, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, key);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

bool it_bool(const cJSON *ev, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, key));
}

const cJSON *it_find(const struct it_agent *a, const char *type, int pid, const char *key,
		     const char *value)
{
	const cJSON *ev;

	cJSON_ArrayForEach(ev, a->events)
	{
		const char *t = it_str(ev, "evt.type");
		const char *v;

		if (type && (!t || strcmp(t, type)))
			continue;
		if (pid > 0 && (int)it_num(ev, "proc.pid") != pid)
			continue;
		if (key && (!(v = it_str(ev, key)) || strcmp(v, value)))
			continue;
		return ev;
	}
	return NULL;
}

const cJSON *it_find_kv(const struct it_agent *a, ...)
{
	const cJSON *ev;

	cJSON_ArrayForEach(ev, a->events)
	{
		const char *k, *v;
		bool all = true;
		va_list ap;

		va_start(ap, a);
		while (all && (k = va_arg(ap, const char *)) != NULL) {
			v = va_arg(ap, const char *);
			all = it_str(ev, k) && !strcmp(it_str(ev, k), v);
		}
		va_end(ap);
		if (all)
			return ev;
	}
	return NULL;
}

pid_t it_run(const char *dir, char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		if (dir && chdir(dir))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return pid;
}

int it_sh(const char *cmd)
{
	int st = system(cmd);

	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}
