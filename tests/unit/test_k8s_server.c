/* The pod watcher against a local HTTPS server that speaks the Kubernetes API's wire format.
 *
 * The API server cannot run here, so this is the project's one test double: libmicrohttpd (GnuTLS) on
 * 127.0.0.1, with a CA and a server certificate made by the openssl CLI in a temp dir. It serves
 * PodList pages (limit/continue), a chunked watch stream (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
 * 410), checks the bearer token (401 otherwise) and filters by spec.nodeName as the real one does.
 * Every wait polls against a deadline.
 */
#include "../common/suite.h"

#include "event.h"
#include "k8s/k8s.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NODE "node-1"
#define TOKEN "eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.osprey-test-token"
#define WAIT_MS 5000
#define MAX_PODS 16
#define MAX_EVENTS 128

/* "containerd://" and 64 hex digits, the first one c */
#define CID(c) "containerd://" c "000000000000000000000000000000000000000000000000000000000000000"

/* ---- test clock and waits ---- */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Polls cond every 5 ms until true or ms elapse; evaluates to its last value. */
#define WAIT_UNTIL(cond, ms)                                                                       \
	({                                                                                         \
		uint64_t deadline_ = mono_ms() + (ms);                                             \
		bool ok_;                                                                          \
		while (!(ok_ = (cond)) && mono_ms() < deadline_)                                   \
			usleep(5000);                                                              \
		ok_;                                                                               \
	})

/* ---- certificates (once per run) ---- */

static char tmpdir[64];
static char ca_path[128], ca2_path[128], token_path[128];
static char *srv_cert, *srv_key;
static bool certs_failed;

static int run(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) < 0)
		err = -EIO;
	if (fclose(f) != 0)
		err = -EIO;
	return err;
}

static char *tmp(const char *name)
{
	static char paths[16][128];
	static int next;
	char *p = paths[next++ % 16];

	snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, name);
	return p;
}

static const char *const tmp_files[] = {"ca.key",  "ca.crt",  "ca2.key", "ca2.crt", "srv.key",
					"srv.csr", "srv.crt", "ext.cnf", "token",   "ca.srl"};

static bool certs(void)
{
	static bool done;
	char *ec[] = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};

	if (done)
		return !certs_failed;
	done = true;
	certs_failed = true;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/osprey-k8s-XXXXXX");
	if (!mkdtemp(tmpdir))
		return false;
	snprintf(ca_path, sizeof(ca_path), "%s/ca.crt", tmpdir);
	snprintf(ca2_path, sizeof(ca2_path), "%s/ca2.crt", tmpdir);
	snprintf(token_path, sizeof(token_path), "%s/token", tmpdir);
	{
		char *ca[] = {"openssl", "req",
			      "-x509",	 ec[0],
			      ec[1],	 ec[2],
			      ec[3],	 ec[4],
			      "-keyout", tmp("ca.key"),
			      "-out",	 ca_path,
			      "-days",	 "2",
			      "-subj",	 "/CN=osprey-test-ca",
			      "-addext", "basicConstraints=critical,CA:TRUE",
			      "-addext", "keyUsage=critical,keyCertSign,cRLSign",
			      NULL};
		char *ca2[] = {"openssl", "req",
			       "-x509",	  ec[0],
			       ec[1],	  ec[2],
			       ec[3],	  ec[4],
			       "-keyout", tmp("ca2.key"),
			       "-out",	  ca2_path,
			       "-days",	  "2",
			       "-subj",	  "/CN=osprey-other-ca",
			       "-addext", "basicConstraints=critical,CA:TRUE",
			       "-addext", "keyUsage=critical,keyCertSign,cRLSign",
			       NULL};
		char *csr[] = {"openssl", "req",	  "-new",  ec[0],	    ec[1],
			       ec[2],	  ec[3],	  ec[4],   "-keyout",	    tmp("srv.key"),
			       "-out",	  tmp("srv.csr"), "-subj", "/CN=127.0.0.1", NULL};
		char *sign[] = {"openssl",
				"x509",
				"-req",
				"-in",
				tmp("srv.csr"),
				"-CA",
				ca_path,
				"-CAkey",
				tmp("ca.key"),
				"-CAcreateserial",
				"-out",
				tmp("srv.crt"),
				"-days",
				"2",
				"-extfile",
				tmp("ext.cnf"),
				NULL};

		if (write_file(tmp("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
					       "basicConstraints=CA:FALSE\n"
					       "keyUsage=critical,digitalSignature\n"
					       "extendedKeyUsage=serverAuth\n") != 0 ||
		    run(ca) != 0 || run(ca2) != 0 || run(csr) != 0 || run(sign) != 0) {
			fprintf(stderr, "test_k8s_server: openssl CLI failed (is it installed?)\n");
			return false;
		}
	}
	srv_cert = slurp(tmp("srv.crt"));
	srv_key = slurp(tmp("srv.key"));
	if (!srv_cert || !srv_key || write_file(token_path, TOKEN "\n") != 0)
		return false;
	certs_failed = false;
	return true;
}

static void test_cleanup(void)
{
	size_t i;

	free(srv_cert);
	free(srv_key);
	srv_cert = srv_key = NULL;
	if (!tmpdir[0])
		return;
	for (i = 0; i < sizeof(tmp_files) / sizeof(tmp_files[0]); i++)
		unlink(tmp(tmp_files[i]));
	CU_ASSERT_EQUAL(rmdir(tmpdir), 0);
}

/* ---- the fake API server ---- */

struct fake_pod {
	char uid[40], name[64], ns[32], node[32];
	char labels[8192]; /* JSON object text */
	char cid[80];
	unsigned int rv;
	bool live;
};

struct fake_event {
	unsigned int rv; /* 0 for raw lines (sent to whoever is watching, in order) */
	char *line;	 /* with its '\n' */
	size_t len;
};

struct fake {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct MHD_Daemon *d;
	uint16_t port;
	char token[128];
	struct fake_pod pods[MAX_PODS];
	int npods;
	struct fake_event ev[MAX_EVENTS];
	int nev;
	unsigned int rv;
	unsigned int compacted; /* watches from an older rv get ERROR 410 */
	unsigned int epoch;	/* bumped by fake_expire(): open watches get ERROR 410 */
	bool shutting;
	/* what the server saw */
	int lists, watches, unauthorized, list_pages_continued;
	char selector[128];
};

struct watch_conn {
	struct fake *f;
	int next; /* index into f->ev */
	size_t off;
	unsigned int epoch;
	uint64_t end_ms;
	char *pending; /* a line to send before the log: ERROR 410 */
	size_t pending_len, pending_off;
	bool end_after_pending;
};

static cJSON *pod_json(const struct fake_pod *p)
{
	cJSON *o = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON *spec, *status, *cs, *c;
	char rv[16];

	snprintf(rv, sizeof(rv), "%u", p->rv);
	cJSON_AddStringToObject(o, "kind", "Pod");
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(meta, "name", p->name);
	cJSON_AddStringToObject(meta, "namespace", p->ns);
	cJSON_AddStringToObject(meta, "uid", p->uid);
	cJSON_AddStringToObject(meta, "resourceVersion", rv);
	cJSON_AddStringToObject(meta, "creationTimestamp", "2024-05-02T10:11:12Z");
	cJSON_AddItemToObject(meta, "labels", cJSON_Parse(p->labels));
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "nodeName", p->node);
	cJSON_AddStringToObject(spec, "restartPolicy", "Always");
	status = cJSON_AddObjectToObject(o, "status");
	cJSON_AddStringToObject(status, "phase", "Running");
	cJSON_AddStringToObject(status, "podIP", "10.244.1.7");
	cs = cJSON_AddArrayToObject(status, "containerStatuses");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "name", "main");
	cJSON_AddStringToObject(c, "image", "docker.io/library/nginx:1.25");
	cJSON_AddStringToObject(c, "containerID", p->cid);
	cJSON_AddBoolToObject(c, "ready", 1);
	cJSON_AddNumberToObject(c, "restartCount", 0);
	cJSON_AddItemToArray(cs, c);
	return o;
}

/* Appends a line to the event log (f->mu held). */
static void log_line(struct fake *f, unsigned int rv, char *line)
{
	size_t n = strlen(line);
	char *l = malloc(n + 2);

	if (!l || f->nev >= MAX_EVENTS) {
		free(l);
		return;
	}
	memcpy(l, line, n);
	l[n] = '\n';
	l[n + 1] = '\0';
	f->ev[f->nev].rv = rv;
	f->ev[f->nev].line = l;
	f->ev[f->nev].len = n + 1;
	f->nev++;
	pthread_cond_broadcast(&f->cond);
}

static void log_event(struct fake *f, const char *type, struct fake_pod *p)
{
	cJSON *e = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddItemToObject(e, "object", pod_json(p));
	s = cJSON_PrintUnformatted(e);
	log_line(f, p->rv, s);
	free(s);
	cJSON_Delete(e);
}

static void fake_pod_add(struct fake *f, const char *uid, const char *name, const char *node,
			 const char *labels, const char *cid)
{
	struct fake_pod *p;

	pthread_mutex_lock(&f->mu);
	p = &f->pods[f->npods++];
	snprintf(p->uid, sizeof(p->uid), "%s", uid);
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->ns, sizeof(p->ns), "default");
	snprintf(p->node, sizeof(p->node), "%s", node);
	snprintf(p->labels, sizeof(p->labels), "%s", labels);
	snprintf(p->cid, sizeof(p->cid), "%s", cid);
	p->rv = ++f->rv;
	p->live = true;
	if (strcmp(node, NODE) == 0)
		log_event(f, "ADDED", p);
	pthread_mutex_unlock(&f->mu);
}

static struct fake_pod *find_pod(struct fake *f, const char *uid)
{
	int i;

	for (i = 0; i < f->npods; i++) {
		if (f->pods[i].live && strcmp(f->pods[i].uid, uid) == 0)
			return &f->pods[i];
	}
	return NULL;
}

static void fake_pod_relabel(struct fake *f, const char *uid, const char *labels)
{
	struct fake_pod *p;

	pthread_mutex_lock(&f->mu);
	p = find_pod(f, uid);
	if (p) {
		snprintf(p->labels, sizeof(p->labels), "%s", labels);
		p->rv = ++f->rv;
		log_event(f, "MODIFIED", p);
	}
	pthread_mutex_unlock(&f->mu);
}

static void fake_pod_delete(struct fake *f, const char *uid)
{
	struct fake_pod *p;

	pthread_mutex_lock(&f->mu);
	p = find_pod(f, uid);
	if (p) {
		p->live = false;
		p->rv = ++f->rv;
		log_event(f, "DELETED", p);
	}
	pthread_mutex_unlock(&f->mu);
}

static void fake_bookmark(struct fake *f)
{
	char line[256];

	pthread_mutex_lock(&f->mu);
	f->rv++;
	snprintf(line, sizeof(line),
		 "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
		 "\"metadata\":{\"resourceVersion\":\"%u\",\"creationTimestamp\":null},"
		 "\"spec\":{\"containers\":null},\"status\":{}}}",
		 f->rv);
	log_line(f, f->rv, line);
	pthread_mutex_unlock(&f->mu);
}

static void fake_raw(struct fake *f, const char *line)
{
	char *copy = strdup(line);

	pthread_mutex_lock(&f->mu);
	if (copy)
		log_line(f, 0, copy);
	pthread_mutex_unlock(&f->mu);
	free(copy);
}

/* Compacts history: open watches end with ERROR 410, watches from older versions get it at once. */
static void fake_expire(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	f->compacted = f->rv;
	f->epoch++;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->mu);
}

static int fake_count(struct fake *f, const int *field)
{
	int v;

	pthread_mutex_lock(&f->mu);
	v = *field;
	pthread_mutex_unlock(&f->mu);
	return v;
}

static char *status_json(int code, const char *reason, const char *message)
{
	char *s = malloc(512);

	if (s)
		snprintf(s, 512,
			 "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
			 "\"Failure\",\"message\":\"%s\",\"reason\":\"%s\",\"code\":%d}",
			 message, reason, code);
	return s;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code, char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* GET /api/v1/pods[?limit&continue]: a PodList page of the live pods of the selected node. */
static enum MHD_Result serve_list(struct fake *f, struct MHD_Connection *c, const char *node)
{
	const char *lim = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	const char *cont = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "continue");
	cJSON *list = cJSON_CreateObject(), *meta, *items;
	int limit = lim ? atoi(lim) : 0, skip = 0, i, n = 0;
	unsigned int rv;
	char buf[64];
	char *body;

	pthread_mutex_lock(&f->mu);
	rv = f->rv;
	/* A continue token is "<rv>:<offset>" here; the real one is opaque. */
	if (cont && sscanf(cont, "%u:%d", &rv, &skip) != 2) {
		pthread_mutex_unlock(&f->mu);
		cJSON_Delete(list);
		return reply(c, 400, status_json(400, "BadRequest", "bad continue token"));
	}
	if (cont)
		f->list_pages_continued++;
	else
		f->lists++;
	cJSON_AddStringToObject(list, "kind", "PodList");
	cJSON_AddStringToObject(list, "apiVersion", "v1");
	meta = cJSON_AddObjectToObject(list, "metadata");
	snprintf(buf, sizeof(buf), "%u", rv);
	cJSON_AddStringToObject(meta, "resourceVersion", buf);
	items = cJSON_AddArrayToObject(list, "items");
	for (i = 0; i < f->npods; i++) {
		if (!f->pods[i].live || strcmp(f->pods[i].node, node) != 0)
			continue;
		if (n++ < skip)
			continue;
		if (limit && cJSON_GetArraySize(items) >= limit) {
			snprintf(buf, sizeof(buf), "%u:%d", rv, skip + limit);
			cJSON_AddStringToObject(meta, "continue", buf);
			break;
		}
		cJSON_AddItemToArray(items, pod_json(&f->pods[i]));
	}
	pthread_mutex_unlock(&f->mu);
	body = cJSON_PrintUnformatted(list);
	cJSON_Delete(list);
	return reply(c, 200, body);
}

static ssize_t watch_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct watch_conn *wc = cls;
	struct fake *f = wc->f;
	ssize_t ret = 0;

	(void)pos;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		struct timespec ts;

		if (f->shutting) {
			ret = MHD_CONTENT_READER_END_WITH_ERROR; /* the connection just drops */
			break;
		}
		if (!wc->pending && wc->epoch != f->epoch) {
			wc->pending = status_json(410, "Expired", "too old resource version");
			wc->pending_len = wc->pending ? strlen(wc->pending) : 0;
			wc->end_after_pending = true;
			if (wc->pending) {
				/* wrap the Status in an ERROR event */
				char *e = malloc(wc->pending_len + 40);

				if (e)
					snprintf(e, wc->pending_len + 40,
						 "{\"type\":\"ERROR\",\"object\":%s}\n",
						 wc->pending);
				free(wc->pending);
				wc->pending = e;
				wc->pending_len = e ? strlen(e) : 0;
			}
		}
		if (wc->pending && wc->pending_off < wc->pending_len) {
			size_t n = wc->pending_len - wc->pending_off;

			n = n < max ? n : max;
			memcpy(buf, wc->pending + wc->pending_off, n);
			wc->pending_off += n;
			ret = (ssize_t)n;
			break;
		}
		if (wc->end_after_pending || mono_ms() >= wc->end_ms) {
			ret = MHD_CONTENT_READER_END_OF_STREAM;
			break;
		}
		if (wc->next < f->nev) {
			const struct fake_event *e = &f->ev[wc->next];
			size_t n = e->len - wc->off;

			/* Small pieces, so that lines cross chunk boundaries. */
			n = n < max ? n : max;
			n = n < 1000 ? n : 1000;
			memcpy(buf, e->line + wc->off, n);
			wc->off += n;
			if (wc->off == e->len) {
				wc->next++;
				wc->off = 0;
			}
			ret = (ssize_t)n;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&f->cond, &f->mu, &ts);
	}
	pthread_mutex_unlock(&f->mu);
	return ret;
}

static void watch_free(void *cls)
{
	struct watch_conn *wc = cls;

	free(wc->pending);
	free(wc);
}

static enum MHD_Result serve_watch(struct fake *f, struct MHD_Connection *c)
{
	const char *rvs = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "resourceVersion");
	const char *tos = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "timeoutSeconds");
	struct watch_conn *wc = calloc(1, sizeof(*wc));
	unsigned int rv = rvs ? (unsigned int)strtoul(rvs, NULL, 10) : 0;
	struct MHD_Response *r;
	enum MHD_Result ret;
	int i;

	if (!wc)
		return MHD_NO;
	wc->f = f;
	wc->end_ms = mono_ms() + (tos ? (uint64_t)atoi(tos) * 1000 : 300000);
	pthread_mutex_lock(&f->mu);
	f->watches++;
	wc->epoch = f->epoch;
	if (rv < f->compacted)
		wc->epoch--; /* answers with ERROR 410 first thing, as the real server does */
	/* Start after the last event this client has seen. */
	for (i = 0; i < f->nev; i++) {
		if (f->ev[i].rv && f->ev[i].rv <= rv)
			wc->next = i + 1;
	}
	pthread_mutex_unlock(&f->mu);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, watch_read, wc, watch_free);
	if (!r) {
		free(wc);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_size, void **con_cls)
{
	struct fake *f = cls;
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *sel = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "fieldSelector");
	const char *watch = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "watch");
	char want[160];

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)con_cls;
	if (strcmp(method, "GET") != 0)
		return reply(c, 405, status_json(405, "MethodNotAllowed", "GET only"));
	pthread_mutex_lock(&f->mu);
	snprintf(want, sizeof(want), "Bearer %s", f->token);
	if (!auth || strcmp(auth, want) != 0) {
		f->unauthorized++;
		pthread_mutex_unlock(&f->mu);
		return reply(c, 401, status_json(401, "Unauthorized", "Unauthorized"));
	}
	snprintf(f->selector, sizeof(f->selector), "%s", sel ? sel : "");
	pthread_mutex_unlock(&f->mu);
	if (strcmp(url, "/api/v1/pods") != 0)
		return reply(c, 404, status_json(404, "NotFound", "the server could not find it"));
	if (!sel || strncmp(sel, "spec.nodeName=", 14) != 0)
		return reply(c, 400, status_json(400, "BadRequest", "this test wants a node"));
	if (watch && (strcmp(watch, "1") == 0 || strcmp(watch, "true") == 0))
		return serve_watch(f, c);
	return serve_list(f, c, sel + 14);
}

static int fake_start(struct fake *f)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(f->port)};
	const union MHD_DaemonInfo *info;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pthread_mutex_lock(&f->mu);
	f->shutting = false;
	pthread_mutex_unlock(&f->mu);
	f->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
				    MHD_USE_TLS,
				f->port, NULL, NULL, handler, f, MHD_OPTION_HTTPS_MEM_KEY, srv_key,
				MHD_OPTION_HTTPS_MEM_CERT, srv_cert, MHD_OPTION_SOCK_ADDR, &sin,
				MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
	if (!f->d)
		return -EADDRINUSE;
	info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
	if (info)
		f->port = info->port;
	return 0;
}

/* Drops every connection, as a crashed or restarting API server does. */
static void fake_stop(struct fake *f)
{
	if (!f->d)
		return;
	pthread_mutex_lock(&f->mu);
	f->shutting = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->mu);
	MHD_stop_daemon(f->d);
	f->d = NULL;
}

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cond, NULL);
	snprintf(f->token, sizeof(f->token), "%s", TOKEN);
	f->rv = 1000;
	if (fake_start(f) != 0) {
		free(f);
		return NULL;
	}
	return f;
}

static void fake_free(struct fake *f)
{
	int i;

	if (!f)
		return;
	fake_stop(f);
	for (i = 0; i < f->nev; i++)
		free(f->ev[i].line);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* ---- watcher side ---- */

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static struct k8s_watch *watch_new(struct fake *f, const char *ca, unsigned int page)
{
	char url[64];
	struct k8s_config c = {.api_url = url,
			       .token_path = token_path,
			       .ca_path = ca,
			       .node_name = NODE,
			       .backoff_initial_ms = 20,
			       .backoff_max_ms = 200,
			       .connect_timeout_ms = 2000,
			       .list_page_size = page,
			       .max_line = 16384,
			       .log = quiet};
	struct k8s_watch *w;

	snprintf(url, sizeof(url), "https://127.0.0.1:%u/", f->port);
	w = k8s_watch_new(&c);
	if (w && k8s_watch_start(w) != 0) {
		k8s_watch_free(w);
		w = NULL;
	}
	return w;
}

static struct k8s_stats stats(struct k8s_watch *w)
{
	struct k8s_stats st;

	k8s_watch_stats(w, &st);
	return st;
}

/* Label value of a pod, or "" when the pod or the label is unknown. */
static const char *label(struct k8s_watch *w, const char *uid, const char *key)
{
	static __thread char str[1024];
	static __thread char value[128];
	struct k8s_pod_meta m;
	struct osp_kv kv[16];
	uint32_t i;

	value[0] = '\0';
	if (k8s_pod_labels(w, uid, &m, kv, 16, str, sizeof(str)) != 0)
		return value;
	for (i = 0; i < m.nlabels; i++) {
		if (strcmp(kv[i].key, key) == 0)
			snprintf(value, sizeof(value), "%s", kv[i].value);
	}
	return value;
}

static bool known(struct k8s_watch *w, const char *uid)
{
	struct k8s_pod_meta m;

	return k8s_pod_labels(w, uid, &m, NULL, 0, NULL, 0) == 0;
}

/* The fake server, or the end of a test that was skipped because it cannot have one. */
#define FAKE_OR_SKIP(f)                                                                            \
	do {                                                                                       \
		if (!(f) && certs_failed)                                                          \
			return;                                                                    \
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);                                                   \
	} while (0)

/* Two pods on this node, one on another. */
static struct fake *fake_with_pods(void)
{
	struct fake *f;

	if (!certs()) {
		OSP_SKIP("no TLS certificates for the fake API server: the openssl CLI failed");
		return NULL;
	}
	f = fake_new();
	if (!f)
		return NULL;
	fake_pod_add(f, "uid-a", "web-a", NODE, "{\"app\":\"web\",\"tier\":\"front\"}", CID("a"));
	fake_pod_add(f, "uid-b", "db-b", NODE, "{\"app\":\"db\"}", CID("b"));
	fake_pod_add(f, "uid-x", "elsewhere", "node-2", "{\"app\":\"other\"}", CID("c"));
	return f;
}

static void test_list_and_lookup(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	struct k8s_pod_meta m;
	struct osp_kv kv[4];
	char str[256];

	FAKE_OR_SKIP(f);
	w = watch_new(f, ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).pods, 2);
	CU_ASSERT_EQUAL(stats(w).lists, 1);
	CU_ASSERT_EQUAL(k8s_pod_labels(w, "uid-a", &m, kv, 4, str, sizeof(str)), 0);
	CU_ASSERT_STRING_EQUAL(m.name, "web-a");
	CU_ASSERT_STRING_EQUAL(m.ns, "default");
	CU_ASSERT_EQUAL(m.nlabels, 2);
	CU_ASSERT_STRING_EQUAL(kv[0].key, "app");
	CU_ASSERT_STRING_EQUAL(kv[0].value, "web");
	CU_ASSERT_STRING_EQUAL(kv[1].key, "tier");
	CU_ASSERT_STRING_EQUAL(kv[1].value, "front");
	/* by container id, bare or with the runtime scheme */
	CU_ASSERT_EQUAL(k8s_pod_by_container(w, &CID("b")[strlen("containerd://")], &m, kv, 4, str,
					     sizeof(str)),
			0);
	CU_ASSERT_STRING_EQUAL(m.uid, "uid-b");
	CU_ASSERT_EQUAL(k8s_pod_by_container(w, CID("a"), &m, NULL, 0, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(m.uid, "uid-a");
	/* the other node's pod was filtered out by the field selector */
	CU_ASSERT_FALSE(known(w, "uid-x"));
	CU_ASSERT_EQUAL(k8s_pod_by_container(w, CID("c"), &m, NULL, 0, NULL, 0), -ENOENT);
	pthread_mutex_lock(&f->mu);
	CU_ASSERT_STRING_EQUAL(f->selector, "spec.nodeName=" NODE);
	CU_ASSERT_EQUAL(f->unauthorized, 0);
	pthread_mutex_unlock(&f->mu);
	/* and a watch is open */
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->watches) >= 1, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).errors, 0);
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_list_pages(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;

	FAKE_OR_SKIP(f);
	fake_pod_add(f, "uid-c", "cache-c", NODE, "{\"app\":\"cache\"}", CID("d"));
	w = watch_new(f, ca_path, 1);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).pods, 3);
	CU_ASSERT_EQUAL(stats(w).lists, 1);
	CU_ASSERT_EQUAL(fake_count(f, &f->lists), 1);
	CU_ASSERT_EQUAL(fake_count(f, &f->list_pages_continued), 2);
	CU_ASSERT_STRING_EQUAL(label(w, "uid-c", "app"), "cache");
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_watch_events(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	uint64_t events;

	FAKE_OR_SKIP(f);
	w = watch_new(f, ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->watches) >= 1, WAIT_MS));

	fake_pod_add(f, "uid-n", "new-n", NODE, "{\"app\":\"new\"}", CID("e"));
	CU_ASSERT(WAIT_UNTIL(strcmp(label(w, "uid-n", "app"), "new") == 0, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).pods, 3);

	fake_pod_relabel(f, "uid-a", "{\"app\":\"web\",\"tier\":\"back\",\"canary\":\"yes\"}");
	CU_ASSERT(WAIT_UNTIL(strcmp(label(w, "uid-a", "tier"), "back") == 0, WAIT_MS));
	CU_ASSERT_STRING_EQUAL(label(w, "uid-a", "canary"), "yes");

	fake_pod_delete(f, "uid-b");
	CU_ASSERT(WAIT_UNTIL(!known(w, "uid-b"), WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).pods, 2);

	events = stats(w).watch_events;
	CU_ASSERT(events >= 3);
	fake_bookmark(f);
	CU_ASSERT(WAIT_UNTIL(stats(w).watch_events == events + 1, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).lists, 1);
	CU_ASSERT_EQUAL(stats(w).errors, 0);
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_gone_relists(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;

	FAKE_OR_SKIP(f);
	w = watch_new(f, ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->watches) >= 1, WAIT_MS));
	fake_expire(f);
	CU_ASSERT(WAIT_UNTIL(stats(w).relists >= 1 && stats(w).lists >= 2, WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->lists) >= 2, WAIT_MS));
	/* data survives the re-list, and the new watch delivers */
	CU_ASSERT_STRING_EQUAL(label(w, "uid-a", "app"), "web");
	fake_pod_add(f, "uid-n", "new-n", NODE, "{\"app\":\"after-410\"}", CID("e"));
	CU_ASSERT(WAIT_UNTIL(strcmp(label(w, "uid-n", "app"), "after-410") == 0, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).errors, 0);
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_bearer_token(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;

	FAKE_OR_SKIP(f);
	CU_ASSERT_EQUAL_FATAL(write_file(token_path, "expired-token\n"), 0);
	w = watch_new(f, ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	/* 401: counted and retried with backoff, no data */
	CU_ASSERT(WAIT_UNTIL(stats(w).errors_auth >= 2, WAIT_MS));
	CU_ASSERT(fake_count(f, &f->unauthorized) >= 2);
	CU_ASSERT_FALSE(stats(w).synced);
	CU_ASSERT_EQUAL(stats(w).pods, 0);
	CU_ASSERT(stats(w).reconnects >= 1);
	/* the token rotates: the file is read again before the next request */
	CU_ASSERT_EQUAL(write_file(token_path, TOKEN "\n"), 0);
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT_STRING_EQUAL(label(w, "uid-a", "app"), "web");
out:
	k8s_watch_free(w);
	fake_free(f);
	write_file(token_path, TOKEN "\n");
}

static void test_wrong_ca(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;

	FAKE_OR_SKIP(f);
	w = watch_new(f, ca2_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).errors_tls >= 2, WAIT_MS));
	CU_ASSERT_FALSE(stats(w).synced);
	CU_ASSERT_EQUAL(stats(w).lists, 0);
	CU_ASSERT_EQUAL(stats(w).pods, 0);
	CU_ASSERT_FALSE(known(w, "uid-a"));
	/* the token never reached a server it could not verify */
	CU_ASSERT_EQUAL(fake_count(f, &f->lists), 0);
	CU_ASSERT_EQUAL(fake_count(f, &f->unauthorized), 0);
	k8s_watch_free(w);

	/* the right CA, same server */
	w = watch_new(f, ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).errors_tls, 0);
	CU_ASSERT(known(w, "uid-a"));
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_server_goes_away(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	uint64_t reconnects;

	FAKE_OR_SKIP(f);
	w = watch_new(f, ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->watches) >= 1, WAIT_MS));
	reconnects = stats(w).reconnects;

	fake_stop(f);
	CU_ASSERT(WAIT_UNTIL(stats(w).errors_connect >= 2 && stats(w).reconnects >= reconnects + 2,
			     WAIT_MS));
	/* the last known data keeps being served */
	CU_ASSERT_STRING_EQUAL(label(w, "uid-a", "app"), "web");
	CU_ASSERT_EQUAL(stats(w).pods, 2);

	/* a pod appears while the server is away; the resumed watch brings it */
	fake_pod_add(f, "uid-n", "new-n", NODE, "{\"app\":\"back\"}", CID("e"));
	CU_ASSERT_EQUAL_FATAL(fake_start(f), 0);
	CU_ASSERT(WAIT_UNTIL(strcmp(label(w, "uid-n", "app"), "back") == 0, WAIT_MS));
	/* resumed from the last resourceVersion: no second list was needed */
	CU_ASSERT_EQUAL(stats(w).lists, 1);
	CU_ASSERT_EQUAL(fake_count(f, &f->lists), 1);
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_bad_lines(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	char *big;

	FAKE_OR_SKIP(f);
	w = watch_new(f, ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->watches) >= 1, WAIT_MS));

	/* a line over max_line (16 KiB here): a huge label value */
	big = malloc(40000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'v', 39999);
	big[39999] = '\0';
	{
		static const char head[] =
		    "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"labels\":{\"k\":\"";

		memcpy(big, head, sizeof(head) - 1);
	}
	fake_raw(f, big);
	free(big);
	fake_raw(f, "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"no-uid\"}}}");
	fake_raw(f, "this is not json");
	fake_raw(f, "{\"type\":\"ADDED\",\"object\":{\"metadata\":");
	fake_pod_add(f, "uid-n", "new-n", NODE, "{\"app\":\"still-here\"}", CID("e"));
	CU_ASSERT(WAIT_UNTIL(strcmp(label(w, "uid-n", "app"), "still-here") == 0, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).lines_oversize, 1);
	CU_ASSERT_EQUAL(stats(w).errors_parse, 3);
	CU_ASSERT_EQUAL(stats(w).lists, 1);
	CU_ASSERT_EQUAL(stats(w).errors_connect, 0);
	CU_ASSERT_STRING_EQUAL(label(w, "uid-a", "app"), "web");
out:
	k8s_watch_free(w);
	fake_free(f);
}

/* The container cache's provider hook: heap copies, beyond the stack buffer it tries first. */
static void test_labels_dup(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	struct osp_kv *kv = NULL;
	char labels[8192], value[61];
	uint32_t n = 0, i;
	size_t off;

	FAKE_OR_SKIP(f);
	memset(value, 'v', 60);
	value[60] = '\0';
	off = (size_t)snprintf(labels, sizeof(labels), "{");
	for (i = 0; i < 60; i++)
		off += (size_t)snprintf(labels + off, sizeof(labels) - off,
					"%s\"label-%02u\":\"%s\"", i ? "," : "", i, value);
	snprintf(labels + off, sizeof(labels) - off, "}");
	fake_pod_add(f, "uid-m", "many-labels", NODE, labels, CID("f"));
	fake_pod_add(f, "uid-z", "no-labels", NODE, "{}", CID("9"));
	w = watch_new(f, ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-a", &kv, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	if (n == 2) {
		CU_ASSERT_STRING_EQUAL(kv[0].key, "app");
		CU_ASSERT_STRING_EQUAL(kv[1].value, "front");
	}
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-m", &kv, &n), 0);
	CU_ASSERT_EQUAL(n, 60);
	if (n == 60) {
		CU_ASSERT_STRING_EQUAL(kv[59].key, "label-59");
		CU_ASSERT_STRING_EQUAL(kv[59].value, value);
	}
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-z", &kv, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(kv);
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-nope", &kv, &n), -ENOENT);
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-x", &kv, &n), -ENOENT);
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-a", NULL, &n), -EINVAL);
out:
	k8s_watch_free(w);
	fake_free(f);
}

/* A containerd CRI container (bundle config.json under <root>/run/containerd, no meta.db: the
 * runtime state names the pod but has none of its labels) in pod uid, with cgroup path into *p. */
static void cri_bundle(const char *root, const char *id, const char *uid, char *cg, size_t cgsz,
		       struct osp_proc *p)
{
	char cmd[1024];

	snprintf(
	    cmd, sizeof(cmd),
	    "d='%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s' && mkdir -p \"$d\" && "
	    "printf '%%s' '{\"ociVersion\":\"1.0.2\",\"annotations\":{"
	    "\"io.kubernetes.cri.container-type\":\"container\","
	    "\"io.kubernetes.cri.container-name\":\"app\","
	    "\"io.kubernetes.cri.image-name\":\"docker.io/library/nginx:1.25\","
	    "\"io.kubernetes.cri.sandbox-name\":\"web-0\","
	    "\"io.kubernetes.cri.sandbox-namespace\":\"prod\","
	    "\"io.kubernetes.cri.sandbox-uid\":\"%s\"}}' >\"$d/config.json\"",
	    root, id, uid);
	CU_ASSERT_EQUAL(system(cmd), 0);
	snprintf(cg, cgsz, "/kubepods/besteffort/pod%s/%s", uid, id);
	memset(p, 0, sizeof(*p));
	p->cgroup.p = cg;
	p->cgroup.len = (uint32_t)strlen(cg);
}

static const char *pod_label(const struct osp_container *c, const char *key)
{
	uint32_t i;

	for (i = 0; c && i < c->npod_labels; i++) {
		if (strcmp(c->pod_labels[i].key, key) == 0)
			return c->pod_labels[i].value;
	}
	return NULL;
}

/* k8s_attach_to_containers(): pod labels known only to the watcher reach container_resolve(),
 * also for a pod the API server shows only after the container was first seen. */
static void test_attach_to_containers(void)
{
#define UID1 "0b6a1c1e-1111-4222-8333-444455556666"
#define UID2 "0b6a1c1e-1111-4222-8333-777788889999"
#define ID1 "1111111111111111111111111111111111111111111111111111111111111111"
#define ID2 "2222222222222222222222222222222222222222222222222222222222222222"
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	struct container_cache *cache = NULL;
	const struct osp_container *c;
	struct osp_proc p1, p2;
	char root[64], cg1[160], cg2[160], cmd[128];

	FAKE_OR_SKIP(f);
	snprintf(root, sizeof(root), "/tmp/osp-k8sattach-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	cri_bundle(root, ID1, UID1, cg1, sizeof(cg1), &p1);
	cri_bundle(root, ID2, UID2, cg2, sizeof(cg2), &p2);
	fake_pod_add(f, UID1, "web-0", NODE, "{\"app\":\"k8s-only\",\"team\":\"sec\"}", CID("1"));
	cache = container_cache_new(&(struct container_cache_config){.paths = {.host_root = root},
								     .retry_interval_ms = 20});
	CU_ASSERT_PTR_NOT_NULL(cache);
	w = watch_new(f, ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w || !cache)
		goto out;
	CU_ASSERT_EQUAL(k8s_attach_to_containers(w, NULL), -EINVAL);
	CU_ASSERT_EQUAL(k8s_attach_to_containers(w, cache), 0);
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));

	c = container_resolve(cache, &p1);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_CONTAINERD);
	CU_ASSERT_STRING_EQUAL(c->pod_name, "web-0");
	CU_ASSERT_STRING_EQUAL(c->pod_uid, UID1);
	CU_ASSERT_EQUAL(c->npod_labels, 2);
	CU_ASSERT_STRING_EQUAL(pod_label(c, "app"), "k8s-only");
	CU_ASSERT_STRING_EQUAL(pod_label(c, "team"), "sec");

	/* a pod the API server does not show yet: no labels, asked again after the retry interval */
	c = container_resolve(cache, &p2);
	CU_ASSERT_EQUAL(c->npod_labels, 0);
	fake_pod_add(f, UID2, "web-1", NODE, "{\"app\":\"late\"}", CID("2"));
	CU_ASSERT(WAIT_UNTIL(known(w, UID2), WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(pod_label(container_resolve(cache, &p2), "app") != NULL, WAIT_MS));
	CU_ASSERT_STRING_EQUAL(pod_label(container_resolve(cache, &p2), "app"), "late");

	/* detached: the cache no longer asks (and may outlive the watcher) */
	CU_ASSERT_EQUAL(k8s_attach_to_containers(NULL, cache), 0);
out:
	container_cache_free(cache);
	k8s_watch_free(w);
	fake_free(f);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "k8s_server: could not remove %s\n", root);
}

OSP_SUITE(k8s_server)
{
	OSP_TEST(suite, test_list_and_lookup);
	OSP_TEST(suite, test_list_pages);
	OSP_TEST(suite, test_watch_events);
	OSP_TEST(suite, test_gone_relists);
	OSP_TEST(suite, test_bearer_token);
	OSP_TEST(suite, test_wrong_ca);
	OSP_TEST(suite, test_server_goes_away);
	OSP_TEST(suite, test_bad_lines);
	OSP_TEST(suite, test_labels_dup);
	OSP_TEST(suite, test_attach_to_containers);
	OSP_TEST(suite, test_cleanup);
}
