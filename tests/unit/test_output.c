/* Output stage: specs, the queue, stdout, file (with logrotate-style reopen) and syslog sinks.
 * HTTP sinks are in test_output_http.c. */
#include "../common/suite.h"
#include "output/output.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

static void quiet_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

static const struct output_opts quiet = {.log = quiet_log};

static char tmpdir[64];

static void mk_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/osp-output-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
}

static void rm_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Returns the file's content, NUL-terminated, or NULL; free() it. */
static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r;

		if (cap - n < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb)
				break;
			buf = nb;
			cap += 65536;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (buf)
		buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static int alert(char *buf, size_t size, unsigned int i)
{
	return snprintf(buf, size, "{\"rule\":\"Test rule\",\"seq\":%u,\"output\":\"alert %u\"}", i,
			i);
}

/* ---- specs ---- */

static void expect_bad(const char *spec, const char *needle)
{
	char err[256];
	struct output *o;

	errno = 0;
	o = output_new(&spec, 1, &quiet, err, sizeof(err));
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_NOT_EQUAL(errno, 0);
	if (!strstr(err, needle))
		fprintf(stderr, "\n  spec '%s': error '%s' lacks '%s'\n", spec, err, needle);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
	output_free(o);
}

static void test_bad_specs(void)
{
	const char *twice[] = {"stdout", "stdout"};
	struct output_opts small = {.log = quiet_log, .queue_bytes = 1000, .max_alert_bytes = 1000};
	char err[256];
	struct output *o;

	expect_bad("foo", "unknown sink");
	expect_bad("stdout:", "unknown sink");
	expect_bad("", "empty output spec");
	expect_bad("file:", "empty path");
	expect_bad("file:/nonexistent-osprey-dir/alerts.json", "No such file or directory");
	expect_bad("syslog:bogus", "unknown syslog facility 'bogus'");
	expect_bad("ftp://example.com/", "unknown sink");
	expect_bad("http://", "http://");
	expect_bad("https://127.0.0.1:99999/", "bad URL");

	o = output_new(twice, 2, &quiet, err, sizeof(err));
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "given twice"));
	o = output_new(twice, 1, &small, err, sizeof(err));
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "queue_bytes"));
	o = output_new(NULL, 1, &quiet, err, sizeof(err));
	CU_ASSERT_PTR_NULL(o);
	/* a CA file that does not exist is a start-up error, not a silent fallback */
	{
		struct output_opts ca = {.log = quiet_log, .http_ca_file = "/nonexistent/ca.pem"};
		const char *spec = "https://127.0.0.1:1/";

		o = output_new(&spec, 1, &ca, err, sizeof(err));
		CU_ASSERT_PTR_NULL(o);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/ca.pem"));
	}
	output_free(NULL);
	output_reopen(NULL);
}

static void test_http_name_hides_password(void)
{
	const char *spec = "https://user:s3cret@127.0.0.1:1/alerts";
	struct output_sink_stats st;
	char err[256];
	struct output_opts o2 = quiet;
	struct output *o;

	o2.flush_timeout_ms = 100;
	o = output_new(&spec, 1, &o2, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_stats(o, &st, 1), 1);
	CU_ASSERT_PTR_NULL(strstr(st.name, "s3cret"));
	CU_ASSERT_PTR_NOT_NULL(strstr(st.name, "127.0.0.1"));
	output_free(o);
}

static void test_priority_parse(void)
{
	CU_ASSERT_EQUAL(output_priority_parse("EMERGENCY"), LOG_EMERG);
	CU_ASSERT_EQUAL(output_priority_parse("Critical"), LOG_CRIT);
	CU_ASSERT_EQUAL(output_priority_parse("warning"), LOG_WARNING);
	CU_ASSERT_EQUAL(output_priority_parse("NOTICE"), LOG_NOTICE);
	CU_ASSERT_EQUAL(output_priority_parse("INFORMATIONAL"), LOG_INFO);
	CU_ASSERT_EQUAL(output_priority_parse("info"), LOG_INFO);
	CU_ASSERT_EQUAL(output_priority_parse("debug"), LOG_DEBUG);
	CU_ASSERT_EQUAL(output_priority_parse("loud"), -EINVAL);
	CU_ASSERT_EQUAL(output_priority_parse(NULL), -EINVAL);
}

/* ---- file sink ---- */

static void test_file_lines(void)
{
	char path[128], spec[140], line[128], err[256], *data, *p;
	struct output_sink_stats st;
	struct output *o;
	const char *sp = spec;
	unsigned int i;

	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/alerts.json", tmpdir);
	snprintf(spec, sizeof(spec), "file:%s", path);
	o = output_new(&sp, 1, &quiet, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	for (i = 0; i < 2000; i++) {
		int n = alert(line, sizeof(line), i);

		CU_ASSERT_EQUAL(output_submit(o, LOG_WARNING, line, (size_t)n), 0);
	}
	CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
	CU_ASSERT_EQUAL(output_stats(o, &st, 1), 1);
	CU_ASSERT_EQUAL(st.sent, 2000);
	CU_ASSERT_EQUAL(st.dropped_full + st.dropped_error + st.dropped_oversize, 0);
	CU_ASSERT_EQUAL(st.queue_depth, 0);
	CU_ASSERT_EQUAL(st.queue_bytes, 0);
	output_free(o);

	data = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL(count_lines(data), 2000);
	p = data;
	for (i = 0; i < 2000; i++) {
		int n = alert(line, sizeof(line), i);

		if (strncmp(p, line, (size_t)n) || p[n] != '\n') {
			CU_FAIL("line differs");
			break;
		}
		p += n + 1;
	}
	free(data);
	{
		struct stat sb;

		CU_ASSERT_EQUAL(stat(path, &sb), 0);
		CU_ASSERT_EQUAL(sb.st_mode & 0777, 0640);
	}
	rm_tmpdir();
}

/* The file already exists: alerts are appended, nothing is truncated. */
static void test_file_appends(void)
{
	char path[128], spec[140], err[256], *data;
	const char *sp = spec;
	struct output *o;
	FILE *f;

	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/alerts.json", tmpdir);
	snprintf(spec, sizeof(spec), "file:%s", path);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"old\":1}\n", f);
	fclose(f);
	o = output_new(&sp, 1, &quiet, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	/* one trailing newline is tolerated; embedded ones are refused */
	CU_ASSERT_EQUAL(output_submit(o, 3, "{\"new\":2}\n", 10), 0);
	CU_ASSERT_EQUAL(output_submit(o, 3, "{\"a\":\n1}", 8), -EINVAL);
	CU_ASSERT_EQUAL(output_submit(o, 3, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(output_submit(NULL, 3, "x", 1), -EINVAL);
	output_free(o);
	data = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_STRING_EQUAL(data, "{\"old\":1}\n{\"new\":2}\n");
	free(data);
	rm_tmpdir();
}

/* logrotate: rename the file, SIGHUP (output_reopen), and the next alerts go to a new file. */
static void test_file_reopen(void)
{
	char path[128], rotated[140], spec[140], err[256], *a, *b;
	const char *sp = spec;
	struct output *o;

	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/alerts.json", tmpdir);
	snprintf(rotated, sizeof(rotated), "%s.1", path);
	snprintf(spec, sizeof(spec), "file:%s", path);
	o = output_new(&sp, 1, &quiet, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"n\":1}", 7), 0);
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"n\":2}", 7), 0);
	CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
	CU_ASSERT_EQUAL(rename(path, rotated), 0);
	/* until the reopen, alerts still go to the renamed file (the fd follows it) */
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"n\":3}", 7), 0);
	CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
	output_reopen(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"n\":4}", 7), 0);
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"n\":5}", 7), 0);
	output_free(o);

	a = slurp(rotated, NULL);
	b = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(a, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
	CU_ASSERT_STRING_EQUAL(b, "{\"n\":4}\n{\"n\":5}\n");
	free(a);
	free(b);
	rm_tmpdir();
}

/* A reopen that fails (the directory is gone) keeps writing to the old file: nothing is lost. */
static void test_file_reopen_fails(void)
{
	char dir[128], path[140], moved[140], spec[150], err[256], *a;
	const char *sp = spec;
	struct output *o;

	mk_tmpdir();
	snprintf(dir, sizeof(dir), "%s/sub", tmpdir);
	snprintf(path, sizeof(path), "%s/alerts.json", dir);
	snprintf(moved, sizeof(moved), "%s/moved.json", tmpdir);
	snprintf(spec, sizeof(spec), "file:%s", path);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	o = output_new(&sp, 1, &quiet, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "one", 3), 0);
	CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
	CU_ASSERT_EQUAL(rename(path, moved), 0);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
	output_reopen(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "two", 3), 0);
	output_free(o);
	a = slurp(moved, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a, "one\ntwo\n");
	free(a);
	rm_tmpdir();
}

/* A simpler rotation check, independent of permission games: two rotations, three files. */
static void test_file_rotate_twice(void)
{
	char path[128], r1[140], r2[140], spec[140], err[256], *a, *b, *c;
	const char *sp = spec;
	struct output *o;

	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/alerts.json", tmpdir);
	snprintf(r1, sizeof(r1), "%s.1", path);
	snprintf(r2, sizeof(r2), "%s.2", path);
	snprintf(spec, sizeof(spec), "file:%s", path);
	o = output_new(&sp, 1, &quiet, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "first", 5), 0);
	CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
	CU_ASSERT_EQUAL(rename(path, r2), 0);
	output_reopen(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "second", 6), 0);
	CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
	CU_ASSERT_EQUAL(rename(path, r1), 0);
	output_reopen(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "third", 5), 0);
	output_free(o); /* flushes */
	a = slurp(r2, NULL);
	b = slurp(r1, NULL);
	c = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(a, "first\n");
	CU_ASSERT_STRING_EQUAL(b, "second\n");
	CU_ASSERT_STRING_EQUAL(c, "third\n");
	free(a);
	free(b);
	free(c);
	rm_tmpdir();
}

/* A small ring, alerts of many sizes: records wrap around the end of the ring (pad records) and
 * come out intact and in order. A full ring is reported, never waited for. */
static void test_ring_wrap(void)
{
	struct output_opts o2 = {.log = quiet_log, .queue_bytes = 4096, .max_alert_bytes = 1000};
	char path[128], spec[140], err[256], line[1100], *data, *p;
	struct output_sink_stats st;
	const char *sp = spec;
	unsigned int i, full = 0;
	struct output *o;

	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/alerts.json", tmpdir);
	snprintf(spec, sizeof(spec), "file:%s", path);
	o = output_new(&sp, 1, &o2, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	for (i = 0; i < 3000; i++) {
		size_t len = 1 + (i * 37) % 999;
		int rc;

		memset(line, 'a' + (int)(i % 26), len);
		rc = output_submit(o, 4, line, len);
		if (rc == -ENOBUFS) {
			full++;
			CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
			rc = output_submit(o, 4, line, len);
		}
		CU_ASSERT_EQUAL(rc, 0);
	}
	/* drain first: what follows is about sizes, and a full queue would answer -ENOBUFS */
	CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
	memset(line, 'x', sizeof(line));
	CU_ASSERT_EQUAL(output_submit(o, 4, line, 1001), -EMSGSIZE);
	CU_ASSERT_EQUAL(output_submit(o, 4, line, 1000), 0);
	CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
	output_stats(o, &st, 1);
	CU_ASSERT_EQUAL(st.sent, 3001);
	CU_ASSERT_EQUAL(st.dropped_full, full);
	CU_ASSERT_EQUAL(st.dropped_oversize, 1);
	output_free(o);

	data = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	p = data;
	for (i = 0; i < 3000; i++) {
		size_t len = 1 + (i * 37) % 999, j;

		for (j = 0; j < len; j++) {
			if (p[j] != 'a' + (int)(i % 26))
				break;
		}
		if (j != len || p[len] != '\n') {
			CU_FAIL("record corrupted across the ring's wrap");
			fprintf(stderr, "\n  record %u corrupted\n", i);
			break;
		}
		p += len + 1;
	}
	free(data);
	rm_tmpdir();
}

/* Several producers at once (the contract allows it): every line arrives whole. */
struct producer {
	struct output *o;
	unsigned int id;
	unsigned int full;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	char line[128];
	unsigned int i;

	for (i = 0; i < 2000; i++) {
		int n = snprintf(line, sizeof(line), "{\"producer\":%u,\"seq\":%u}", p->id, i);

		while (output_submit(p->o, 4, line, (size_t)n) == -ENOBUFS) {
			p->full++;
			sched_yield();
		}
	}
	return NULL;
}

static void test_concurrent_producers(void)
{
	struct output_opts o2 = {.log = quiet_log, .queue_bytes = 16384, .max_alert_bytes = 1024};
	char path[128], spec[140], err[256], *data, *p;
	unsigned int next[4] = {0}, i, bad = 0;
	struct producer prod[4];
	pthread_t t[4];
	const char *sp = spec;
	struct output *o;

	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/alerts.json", tmpdir);
	snprintf(spec, sizeof(spec), "file:%s", path);
	o = output_new(&sp, 1, &o2, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	for (i = 0; i < 4; i++) {
		prod[i] = (struct producer){.o = o, .id = i};
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, produce, &prod[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	output_free(o);
	data = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL(count_lines(data), 8000);
	for (p = data; *p;) {
		unsigned int id, seq;
		char *nl = strchr(p, '\n');

		if (!nl || sscanf(p, "{\"producer\":%u,\"seq\":%u}", &id, &seq) != 2 || id >= 4 ||
		    seq != next[id]) {
			bad++;
			break;
		}
		next[id]++;
		p = nl + 1;
	}
	CU_ASSERT_EQUAL(bad, 0);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(next[i], 2000);
	free(data);
	rm_tmpdir();
}

/* ---- stdout ---- */

static void test_stdout_default(void)
{
	char path[128], err[256], *data;
	struct output_sink_stats st;
	struct output *o;
	bool created;
	int saved, fd;

	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/stdout", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	CU_ASSERT_FATAL(saved >= 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);

	o = output_new(NULL, 0, &quiet, err, sizeof(err)); /* no spec: stdout */
	created = o != NULL;
	if (o) {
		output_submit(o, 6, "{\"to\":\"stdout\"}", 15);
		output_submit(o, 6, "{\"n\":2}", 7);
		output_stats(o, &st, 1);
		CU_ASSERT_STRING_EQUAL(st.name, "stdout");
		output_free(o);
	}
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);

	CU_ASSERT_FATAL(created);
	data = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_STRING_EQUAL(data, "{\"to\":\"stdout\"}\n{\"n\":2}\n");
	free(data);
	rm_tmpdir();
}

/* ---- syslog ----
 * The sink sends to the socket named in output_opts.syslog_socket: the test binds its own datagram
 * socket there and sees exactly what a syslog daemon would, without touching the host's logger. */

/* The next datagram on sock, NUL-terminated in buf; its length or -1. */
static ssize_t recv_msg(int sock, char *buf, size_t bufsz)
{
	ssize_t n = recv(sock, buf, bufsz - 1, 0);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static void test_syslog(void)
{
	struct timeval tv = {.tv_sec = 5};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct output_opts o2 = {.log = quiet_log, .syslog_ident = "osprey-test"};
	const char *specs[] = {"syslog:local3", "syslog"};
	/* <PRI> = facility | severity: local3 (19 << 3) | crit (2) = 154, | info (6) = 158;
	 * user (1 << 3) | crit = 10, | info = 14 */
	static const char *const want[] = {"<154>", "<158>", "<10>", "<14>"};
	bool seen[4] = {false};
	struct output_sink_stats st[2];
	char err[256], buf[1024];
	struct output *o;
	int sock, i, j;

	mk_tmpdir();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/log", tmpdir);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(sock >= 0);
	CU_ASSERT_EQUAL_FATAL(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	o2.syslog_socket = sa.sun_path;

	/* two syslog sinks, two facilities: each alert reaches the socket once per sink */
	o = output_new(specs, 2, &o2, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_submit(o, LOG_CRIT, "{\"rule\":\"syslog test\"}", 22), 0);
	CU_ASSERT_EQUAL(output_submit(o, LOG_INFO, "{\"rule\":\"second\"}", 17), 0);
	CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
	CU_ASSERT_EQUAL(output_stats(o, st, 2), 2);
	CU_ASSERT_EQUAL(st[0].sent, 2);
	CU_ASSERT_EQUAL(st[1].sent, 2);
	output_free(o);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_FATAL(recv_msg(sock, buf, sizeof(buf)) > 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, " osprey-test["));
		for (j = 0; j < 4; j++) {
			if (!strncmp(buf, want[j], strlen(want[j]))) {
				CU_ASSERT_FALSE(seen[j]);
				seen[j] = true;
				/* crit is the first alert, info the second */
				CU_ASSERT_PTR_NOT_NULL(
				    strstr(buf, j % 2 ? "]: {\"rule\":\"second\"}"
						      : "]: {\"rule\":\"syslog test\"}"));
			}
		}
	}
	for (j = 0; j < 4; j++)
		CU_ASSERT_TRUE(seen[j]);

	/* nobody listening: the sink starts (a daemon may come later) and counts what it loses */
	close(sock);
	unlink(sa.sun_path);
	o = output_new(specs, 1, &o2, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_submit(o, LOG_CRIT, "{\"x\":1}", 7), 0);
	CU_ASSERT_EQUAL(output_flush(o, 5000), 0);
	CU_ASSERT_EQUAL(output_stats(o, st, 1), 1);
	CU_ASSERT_EQUAL(st[0].sent, 0);
	CU_ASSERT_EQUAL(st[0].dropped_error, 1);
	output_free(o);

	/* a socket path that cannot be one */
	memset(buf, 'x', 200);
	buf[200] = '\0';
	o2.syslog_socket = buf;
	o = output_new(specs, 1, &o2, err, sizeof(err));
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "socket path too long"));
	rm_tmpdir();
}

OSP_SUITE(output)
{
	OSP_TEST(suite, test_bad_specs);
	OSP_TEST(suite, test_http_name_hides_password);
	OSP_TEST(suite, test_priority_parse);
	OSP_TEST(suite, test_file_lines);
	OSP_TEST(suite, test_file_appends);
	OSP_TEST(suite, test_file_reopen);
	OSP_TEST(suite, test_file_reopen_fails);
	OSP_TEST(suite, test_file_rotate_twice);
	OSP_TEST(suite, test_ring_wrap);
	OSP_TEST(suite, test_concurrent_producers);
	OSP_TEST(suite, test_stdout_default);
	OSP_TEST(suite, test_syslog);
}
