/* The fake Kubernetes API server the watcher's tests run against (k8s_fake_api.c): the project's one
 * test double, since the API server cannot run here. libmicrohttpd (GnuTLS) on 127.0.0.1, with a CA
 * and a server certificate made by the openssl CLI in a temp dir. It serves PodList pages
 * (limit/continue), a chunked watch stream (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR 410), checks
 * the bearer token (401 otherwise) and filters by spec.nodeName as the real one does. */
#ifndef OSP_TESTS_K8S_FAKE_API_H
#define OSP_TESTS_K8S_FAKE_API_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#define NODE "node-1"
#define TOKEN "eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.osprey-test-token"
#define WAIT_MS 5000
#define MAX_PODS 16
#define MAX_EVENTS 128

/* "containerd://" and 64 hex digits, the first one c */
#define CID(c) "containerd://" c "000000000000000000000000000000000000000000000000000000000000000"

uint64_t fake_mono_ms(void);

/* Polls cond every 5 ms until true or ms elapse; evaluates to its last value. */
#define WAIT_UNTIL(cond, ms)                                                                       \
	({                                                                                         \
		uint64_t deadline_ = fake_mono_ms() + (ms);                                        \
		bool ok_;                                                                          \
		while (!(ok_ = (cond)) && fake_mono_ms() < deadline_)                              \
			usleep(5000);                                                              \
		ok_;                                                                               \
	})

/* The certificates, made once per run: fake_certs() is false (and fake_certs_failed true) when the
 * openssl CLI failed; fake_cleanup() removes them. */
extern char fake_ca_path[128], fake_ca2_path[128], fake_token_path[128];
extern bool fake_certs_failed;
bool fake_certs(void);
void fake_cleanup(void);
int fake_write_file(const char *path, const char *text);

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

/* The server: new (not started), started (f->port set), stopped, freed; pods and events added
 * under its lock by the functions below. */
struct fake *fake_new(void);
int fake_start(struct fake *f);
void fake_stop(struct fake *f);
void fake_free(struct fake *f);
void fake_pod_add(struct fake *f, const char *uid, const char *name, const char *node,
		  const char *labels, const char *cid);
void fake_pod_relabel(struct fake *f, const char *uid, const char *labels);
void fake_pod_delete(struct fake *f, const char *uid);
void fake_bookmark(struct fake *f);
void fake_raw(struct fake *f, const char *line);
void fake_expire(struct fake *f);
/* A counter of what the server saw (f->lists, f->watches, ...), read under its lock. */
int fake_count(struct fake *f, const int *field);

#endif
