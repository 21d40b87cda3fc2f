/* The fake Kubernetes API server: see k8s_fake_api.h. */
#include "../common/suite.h"
#include "k8s_fake_api.h"

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

/* ---- test clock and waits ---- */

uint64_t fake_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- certificates (once per run) ---- */

static char tmpdir[64];
char fake_ca_path[128], fake_ca2_path[128], fake_token_path[128];
static char *srv_cert, *srv_key;
bool fake_certs_failed;

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

int fake_write_file(const char *path, const char *text)
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

bool fake_certs(void)
{
	static bool done;
	char *ec[] = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};

	if (done)
		return !fake_certs_failed;
	done = true;
	fake_certs_failed = true;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/osprey-k8s-XXXXXX");
	if (!mkdtemp(tmpdir))
		return false;
	snprintf(fake_ca_path, sizeof(fake_ca_path), "%s/ca.crt", tmpdir);
	snprintf(fake_ca2_path, sizeof(fake_ca2_path), "%s/ca2.crt", tmpdir);
	snprintf(fake_token_path, sizeof(fake_token_path), "%s/token", tmpdir);
	{
		char *ca[] = {"openssl", "req",
			      "-x509",	 ec[0],
			      ec[1],	 ec[2],
			      ec[3],	 ec[4],
			      "-keyout", tmp("ca.key"),
			      "-out",	 fake_ca_path,
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
			       "-out",	  fake_ca2_path,
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
				fake_ca_path,
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

		if (fake_write_file(tmp("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
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
	if (!srv_cert || !srv_key || fake_write_file(fake_token_path, TOKEN "\n") != 0)
		return false;
	fake_certs_failed = false;
	return true;
}

void fake_cleanup(void)
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

void fake_pod_add(struct fake *f, const char *uid, const char *name, const char *node,
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

void fake_pod_relabel(struct fake *f, const char *uid, const char *labels)
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

void fake_pod_delete(struct fake *f, const char *uid)
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

void fake_bookmark(struct fake *f)
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

void fake_raw(struct fake *f, const char *line)
{
	char *copy = strdup(line);

	pthread_mutex_lock(&f->mu);
	if (copy)
		log_line(f, 0, copy);
	pthread_mutex_unlock(&f->mu);
	free(copy);
}

/* Compacts history: open watches end with ERROR 410, watches from older versions get it at once. */
void fake_expire(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	f->compacted = f->rv;
	f->epoch++;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->mu);
}

int fake_count(struct fake *f, const int *field)
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
		if (wc->end_after_pending || fake_mono_ms() >= wc->end_ms) {
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
	wc->end_ms = fake_mono_ms() + (tos ? (uint64_t)atoi(tos) * 1000 : 300000);
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

int fake_start(struct fake *f)
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
void fake_stop(struct fake *f)
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

struct fake *fake_new(void)
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

void fake_free(struct fake *f)
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
