/* HTTP and HTTPS sinks against a real server (libmicrohttpd) on 127.0.0.1: batching, a server
 * that goes away and comes back, permanent refusals, a full queue that never blocks, and TLS
 * verification with a self-signed certificate made by the test. Loopback only. */
#include "../common/suite.h"
#include "output/output.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void quiet_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

/* ---- a tiny collecting server ---- */

struct srv {
	struct MHD_Daemon *d;
	uint16_t port;
	unsigned int status; /* answer to every POST */
	pthread_mutex_t mu;
	char *data; /* every body received, concatenated */
	size_t len, cap;
	unsigned int requests;
	unsigned int bad_ctype;
};

struct req {
	char *buf;
	size_t len, cap;
};

static bool append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*len + n + 1) * 2;
		char *nb = realloc(*buf, ncap);

		if (!nb)
			return false;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
	return true;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	struct srv *s = cls;
	struct req *r = *con_cls;
	struct MHD_Response *resp;
	const char *ctype;
	enum MHD_Result ret;

	(void)url;
	(void)version;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!append(&r->buf, &r->len, &r->cap, upload, *upload_size))
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	pthread_mutex_lock(&s->mu);
	s->requests++;
	if (strcmp(method, "POST") || !ctype || strcmp(ctype, "application/x-ndjson"))
		s->bad_ctype++;
	if (s->status == 200 && r->len)
		append(&s->data, &s->len, &s->cap, r->buf, r->len);
	pthread_mutex_unlock(&s->mu);
	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, s->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r) {
		free(r->buf);
		free(r);
	}
	*con_cls = NULL;
}

/* Starts the server on 127.0.0.1:port (0: any free port); key/cert (PEM) make it HTTPS. */
static int srv_start(struct srv *s, uint16_t port, const char *key, const char *cert)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (key) /* without its error log: a client refusing our certificate is the point */
		flags = (flags & ~(unsigned int)MHD_USE_ERROR_LOG) | MHD_USE_TLS;
	if (key)
		s->d = MHD_start_daemon(flags, port, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR,
					(struct sockaddr *)&sin, MHD_OPTION_NOTIFY_COMPLETED,
					completed, s, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
					MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT,
					cert, MHD_OPTION_END);
	else
		s->d = MHD_start_daemon(flags, port, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR,
					(struct sockaddr *)&sin, MHD_OPTION_NOTIFY_COMPLETED,
					completed, s, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
					MHD_OPTION_END);
	if (!s->d)
		return -1;
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	return 0;
}

static void srv_init(struct srv *s)
{
	memset(s, 0, sizeof(*s));
	s->status = 200;
	pthread_mutex_init(&s->mu, NULL);
}

static void srv_stop(struct srv *s)
{
	if (s->d)
		MHD_stop_daemon(s->d);
	s->d = NULL;
}

static void srv_fini(struct srv *s)
{
	srv_stop(s);
	free(s->data);
	pthread_mutex_destroy(&s->mu);
}

static size_t srv_lines(struct srv *s)
{
	size_t i, n = 0;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->len; i++)
		n += s->data[i] == '\n';
	pthread_mutex_unlock(&s->mu);
	return n;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct output_sink_stats stats(struct output *o)
{
	struct output_sink_stats st;

	memset(&st, 0, sizeof(st));
	output_stats(o, &st, 1);
	return st;
}

/* Waits until the sink has counted at least n retries. */
static bool wait_retries(struct output *o, uint64_t n, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	while (now_ms() < end) {
		if (stats(o).retries >= n)
			return true;
		sleep_ms(10);
	}
	return false;
}

static int alert(char *buf, size_t size, unsigned int i)
{
	return snprintf(buf, size, "{\"rule\":\"Test\",\"seq\":%u}", i);
}

/* Checks that the server received alerts first..last-1 exactly once, in order. */
static void expect_seq(struct srv *s, unsigned int first, unsigned int last)
{
	char line[64];
	const char *p;
	unsigned int i;

	pthread_mutex_lock(&s->mu);
	p = s->data ? s->data : "";
	for (i = first; i < last; i++) {
		int n = alert(line, sizeof(line), i);

		if (strncmp(p, line, (size_t)n) || p[n] != '\n') {
			fprintf(stderr, "\n  alert %u missing or out of order\n", i);
			CU_FAIL("alert missing or out of order");
			break;
		}
		p += n + 1;
	}
	CU_ASSERT_EQUAL(*p, '\0');
	pthread_mutex_unlock(&s->mu);
}

static struct output *http_output(uint16_t port, const char *scheme, struct output_opts *opts)
{
	char spec[128], err[256];
	const char *sp = spec;
	struct output *o;

	snprintf(spec, sizeof(spec), "%s://127.0.0.1:%u/alerts", scheme, port);
	o = output_new(&sp, 1, opts, err, sizeof(err));
	if (!o)
		fprintf(stderr, "\n  output_new: %s\n", err);
	return o;
}

static void test_http_batches(void)
{
	struct output_opts opts = {.log = quiet_log, .http_linger_ms = 100, .http_batch_max = 20};
	const char *hdrs[] = {"X-Osprey-Test: 1", NULL};
	struct output_sink_stats st;
	struct output *o;
	struct srv s;
	char line[64];
	unsigned int i;

	opts.http_headers = hdrs;
	srv_init(&s);
	CU_ASSERT_EQUAL_FATAL(srv_start(&s, 0, NULL, NULL), 0);
	o = http_output(s.port, "http", &opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	for (i = 0; i < 100; i++) {
		int n = alert(line, sizeof(line), i);

		CU_ASSERT_EQUAL(output_submit(o, 4, line, (size_t)n), 0);
	}
	CU_ASSERT_EQUAL(output_flush(o, 10000), 0);
	st = stats(o);
	CU_ASSERT_EQUAL(st.sent, 100);
	CU_ASSERT_EQUAL(st.dropped_error + st.dropped_full, 0);
	CU_ASSERT_EQUAL(st.retries, 0);
	output_free(o);
	expect_seq(&s, 0, 100);
	/* batched: 100 alerts, at most 20 per request, in far fewer than 100 requests */
	CU_ASSERT(s.requests >= 5 && s.requests <= 20);
	CU_ASSERT_EQUAL(s.bad_ctype, 0);
	srv_fini(&s);
}

/* The endpoint goes away: alerts queue, retries are counted. It comes back on the same port:
 * everything queued is delivered, in order, nothing lost. */
static void test_http_down_and_back(void)
{
	struct output_opts opts = {.log = quiet_log,
				   .http_linger_ms = 10,
				   .http_backoff_initial_ms = 20,
				   .http_backoff_max_ms = 100,
				   .http_connect_timeout_ms = 1000};
	struct output_sink_stats st;
	struct output *o;
	struct srv s;
	uint16_t port;
	char line[64];
	unsigned int i;

	srv_init(&s);
	CU_ASSERT_EQUAL_FATAL(srv_start(&s, 0, NULL, NULL), 0);
	port = s.port;
	o = http_output(port, "http", &opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	for (i = 0; i < 10; i++) {
		int n = alert(line, sizeof(line), i);

		CU_ASSERT_EQUAL(output_submit(o, 4, line, (size_t)n), 0);
	}
	CU_ASSERT_EQUAL(output_flush(o, 10000), 0);
	CU_ASSERT_EQUAL(stats(o).sent, 10);

	srv_stop(&s);
	for (; i < 60; i++) {
		int n = alert(line, sizeof(line), i);

		CU_ASSERT_EQUAL(output_submit(o, 4, line, (size_t)n), 0);
	}
	CU_ASSERT(wait_retries(o, 3, 10000));
	st = stats(o);
	CU_ASSERT_EQUAL(st.sent, 10);
	CU_ASSERT_EQUAL(st.queue_depth, 50);
	CU_ASSERT_EQUAL(st.dropped_error + st.dropped_full, 0);
	CU_ASSERT(st.errors >= 3);
	CU_ASSERT_EQUAL(srv_lines(&s), 10);

	CU_ASSERT_EQUAL_FATAL(srv_start(&s, port, NULL, NULL), 0);
	CU_ASSERT_EQUAL(output_flush(o, 10000), 0);
	st = stats(o);
	CU_ASSERT_EQUAL(st.sent, 60);
	CU_ASSERT_EQUAL(st.queue_depth, 0);
	CU_ASSERT_EQUAL(st.dropped_error + st.dropped_full, 0);
	output_free(o);
	expect_seq(&s, 0, 60);
	srv_fini(&s);
}

/* A 4xx other than 408/429 is a permanent refusal: the batch is dropped, not retried forever. */
static void test_http_refused(void)
{
	struct output_opts opts = {.log = quiet_log, .http_linger_ms = 50};
	struct output_sink_stats st;
	struct output *o;
	struct srv s;

	srv_init(&s);
	s.status = 403;
	CU_ASSERT_EQUAL_FATAL(srv_start(&s, 0, NULL, NULL), 0);
	o = http_output(s.port, "http", &opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"a\":1}", 7), 0);
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"a\":2}", 7), 0);
	CU_ASSERT_EQUAL(output_flush(o, 10000), 0);
	st = stats(o);
	CU_ASSERT_EQUAL(st.sent, 0);
	CU_ASSERT_EQUAL(st.dropped_error, 2);
	CU_ASSERT_EQUAL(st.retries, 0);
	output_free(o);
	srv_fini(&s);
}

/* 503 is retried; http_max_retries bounds it. */
static void test_http_max_retries(void)
{
	struct output_opts opts = {.log = quiet_log,
				   .http_linger_ms = 1,
				   .http_backoff_initial_ms = 5,
				   .http_backoff_max_ms = 10,
				   .http_max_retries = 3};
	struct output_sink_stats st;
	struct output *o;
	struct srv s;

	srv_init(&s);
	s.status = 503;
	CU_ASSERT_EQUAL_FATAL(srv_start(&s, 0, NULL, NULL), 0);
	o = http_output(s.port, "http", &opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"a\":1}", 7), 0);
	CU_ASSERT_EQUAL(output_flush(o, 10000), 0);
	st = stats(o);
	CU_ASSERT_EQUAL(st.sent, 0);
	CU_ASSERT_EQUAL(st.dropped_error, 1);
	CU_ASSERT_EQUAL(st.retries, 3);
	CU_ASSERT_EQUAL(st.errors, 4);
	CU_ASSERT_EQUAL(s.requests, 4);
	output_free(o);
	srv_fini(&s);
}

/* Returns a port on 127.0.0.1 that refuses connections (bound, never listening); keep fd open. */
static uint16_t refusing_port(int *fd)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0 || bind(*fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(*fd, (struct sockaddr *)&sin, &sl))
		return 0;
	return ntohs(sin.sin_port);
}

/* The endpoint is down and the ring fills: output_submit() drops and counts, and never waits.
 * output_free() gives up after flush_timeout_ms and counts what it could not deliver. */
static void test_http_queue_full(void)
{
	struct output_opts opts = {.log = quiet_log,
				   .queue_bytes = 64 << 10,
				   .max_alert_bytes = 4 << 10,
				   .http_batch_bytes = 8 << 10,
				   .http_backoff_initial_ms = 50,
				   .flush_timeout_ms = 300};
	struct output_sink_stats st;
	uint64_t t0, worst = 0, t_free;
	unsigned int i, full = 0, ok = 0;
	struct output *o;
	char line[1024];
	uint16_t port;
	int fd;

	port = refusing_port(&fd);
	CU_ASSERT_FATAL(port != 0);
	o = http_output(port, "http", &opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	memset(line, 'q', sizeof(line));
	for (i = 0; i < 1000; i++) {
		struct timespec a, b;
		uint64_t us;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &a);
		rc = output_submit(o, 4, line, sizeof(line));
		clock_gettime(CLOCK_MONOTONIC, &b);
		us = (uint64_t)(b.tv_sec - a.tv_sec) * 1000000 + (uint64_t)(b.tv_nsec / 1000) -
		     (uint64_t)(a.tv_nsec / 1000);
		if (us > worst)
			worst = us;
		if (rc == -ENOBUFS)
			full++;
		else if (rc == 0)
			ok++;
		else
			CU_FAIL("unexpected output_submit result");
	}
	/* 64 KiB of ~1 KiB records: about 60 fit, the rest are dropped at once */
	CU_ASSERT(ok > 30 && ok < 70);
	CU_ASSERT(full > 900);
	/* "never blocks": generous for a sanitizer build on a busy machine, far below one timeout */
	CU_ASSERT(worst < 200000);
	CU_ASSERT(wait_retries(o, 1, 5000));
	st = stats(o);
	CU_ASSERT_EQUAL(st.dropped_full, full);
	CU_ASSERT_EQUAL(st.sent, 0);
	CU_ASSERT_EQUAL(st.queue_depth + st.dropped_error, ok);
	CU_ASSERT(st.queue_bytes > 0 && st.queue_bytes <= opts.queue_bytes);

	t0 = now_ms();
	output_free(o);
	t_free = now_ms() - t0;
	CU_ASSERT(t_free < 3000);
	close(fd);
}

/* Counters after output_free() are gone; check shutdown accounting through the log instead. */
struct logcap {
	pthread_mutex_t mu;
	unsigned int undelivered;
};

static void cap_log(void *ctx, int level, const char *msg)
{
	struct logcap *c = ctx;

	(void)level;
	pthread_mutex_lock(&c->mu);
	if (strstr(msg, "not delivered"))
		c->undelivered++;
	pthread_mutex_unlock(&c->mu);
}

static void test_http_shutdown_bounded(void)
{
	struct logcap cap = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct output_opts opts = {.log = cap_log,
				   .log_ctx = &cap,
				   .http_backoff_initial_ms = 10000,
				   .flush_timeout_ms = 200};
	struct output *o;
	uint64_t t0;
	uint16_t port;
	int fd;

	port = refusing_port(&fd);
	CU_ASSERT_FATAL(port != 0);
	o = http_output(port, "http", &opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"a\":1}", 7), 0);
	CU_ASSERT(wait_retries(o, 1, 5000));
	/* in a 10 s backoff now: output_free() must not wait for it */
	t0 = now_ms();
	output_free(o);
	CU_ASSERT(now_ms() - t0 < 2000);
	CU_ASSERT_EQUAL(cap.undelivered, 1);
	close(fd);
}

/* ---- HTTPS ---- */

static char tlsdir[64];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = n >= 0 ? calloc(1, (size_t)n + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Makes a self-signed certificate for 127.0.0.1 with the openssl CLI. */
static int make_cert(char **key, char **cert, char *ca_path, size_t ca_len)
{
	char cmd[512], path[128];

	snprintf(tlsdir, sizeof(tlsdir), "/tmp/osp-tls-XXXXXX");
	if (!mkdtemp(tlsdir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout %s/key.pem -out %s/cert.pem -days 1 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
		 tlsdir, tlsdir);
	if (system(cmd) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/key.pem", tlsdir);
	*key = slurp(path);
	snprintf(ca_path, ca_len, "%s/cert.pem", tlsdir);
	*cert = slurp(ca_path);
	return *key && *cert ? 0 : -1;
}

static void test_https_verification(void)
{
	struct output_opts opts = {.log = quiet_log,
				   .http_linger_ms = 10,
				   .http_backoff_initial_ms = 10,
				   .http_max_retries = 1};
	char *key = NULL, *cert = NULL, ca[128], cmd[128];
	struct output_sink_stats st;
	struct output *o;
	struct srv s;

	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		OSP_SKIP("HTTPS test: libmicrohttpd built without TLS");
		return;
	}
	if (make_cert(&key, &cert, ca, sizeof(ca))) {
		OSP_SKIP("HTTPS test: cannot make a certificate with the openssl CLI");
		free(key);
		free(cert);
		return;
	}
	srv_init(&s);
	CU_ASSERT_EQUAL_FATAL(srv_start(&s, 0, key, cert), 0);

	/* without our CA the self-signed server is refused */
	o = http_output(s.port, "https", &opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"tls\":0}", 9), 0);
	CU_ASSERT_EQUAL(output_flush(o, 10000), 0);
	st = stats(o);
	CU_ASSERT_EQUAL(st.sent, 0);
	CU_ASSERT_EQUAL(st.dropped_error, 1);
	CU_ASSERT_EQUAL(st.retries, 1);
	output_free(o);
	CU_ASSERT_EQUAL(srv_lines(&s), 0);

	/* with it, delivered */
	opts.http_ca_file = ca;
	o = http_output(s.port, "https", &opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(output_submit(o, 4, "{\"tls\":1}", 9), 0);
	CU_ASSERT_EQUAL(output_flush(o, 10000), 0);
	st = stats(o);
	CU_ASSERT_EQUAL(st.sent, 1);
	CU_ASSERT_EQUAL(st.dropped_error, 0);
	output_free(o);
	pthread_mutex_lock(&s.mu);
	CU_ASSERT_PTR_NOT_NULL(s.data);
	if (s.data)
		CU_ASSERT_STRING_EQUAL(s.data, "{\"tls\":1}\n");
	pthread_mutex_unlock(&s.mu);

	/* the name must match too: "localhost" is not in the certificate */
	{
		char spec[128], err[256];
		const char *sp = spec;

		snprintf(spec, sizeof(spec), "https://localhost:%u/", s.port);
		o = output_new(&sp, 1, &opts, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		CU_ASSERT_EQUAL(output_submit(o, 4, "{\"tls\":2}", 9), 0);
		CU_ASSERT_EQUAL(output_flush(o, 10000), 0);
		st = stats(o);
		CU_ASSERT_EQUAL(st.sent, 0);
		CU_ASSERT_EQUAL(st.dropped_error, 1);
		output_free(o);
	}

	srv_fini(&s);
	free(key);
	free(cert);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tlsdir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

OSP_SUITE(output_http)
{
	OSP_TEST(suite, test_http_batches);
	OSP_TEST(suite, test_http_down_and_back);
	OSP_TEST(suite, test_http_refused);
	OSP_TEST(suite, test_http_max_retries);
	OSP_TEST(suite, test_http_queue_full);
	OSP_TEST(suite, test_http_shutdown_bounded);
	OSP_TEST(suite, test_https_verification);
}
