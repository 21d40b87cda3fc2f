/* http:// and https:// sinks: POST batches of alerts as newline-delimited JSON with libcurl.
 *
 * A batch is copied out of the ring into a preallocated body and stays queued (counted in the
 * depth) until the server answers 2xx. Failures are retried with exponential backoff (jittered,
 * capped): transport errors, timeouts, 408, 429 and 5xx. Any other status is a permanent refusal:
 * the batch is dropped and counted in dropped_error. While the endpoint is down the ring fills, and
 * output_submit() then drops and counts new alerts; it never waits for the network.
 * TLS: peer and host verification always on; opts.http_ca_file replaces the system CA bundle.
 */
#include "output/sink.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#ifndef OSPREY_VERSION
#define OSPREY_VERSION "0.0.0"
#endif

struct http_state {
	CURL *curl;
	struct curl_slist *headers;
	char *body;
	size_t body_cap;
	char curl_err[CURL_ERROR_SIZE];
	unsigned int seed;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

/* Aborts a transfer in progress once output_free()'s flush deadline has passed. */
static int progress_cb(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct sink *s = ud;
	struct timespec now;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	if (!atomic_load(&s->stop_flag))
		return 0;
	sink_ts_now(&now);
	return sink_ts_cmp(&now, &s->deadline) >= 0;
}

/* Checks the URL and sets s->name to it without the password. */
static int check_url(struct sink *s, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *clean = NULL;
	int rc = 0;
	CURLUcode uc;

	if (!u) {
		snprintf(err, errlen, "output '%s': out of memory", s->spec);
		return -ENOMEM;
	}
	uc = curl_url_set(u, CURLUPART_URL, s->spec, 0);
	if (uc) {
		snprintf(err, errlen, "output '%s': bad URL: %s", s->spec, curl_url_strerror(uc));
		rc = -EINVAL;
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		snprintf(err, errlen, "output '%s': URL scheme must be http or https", s->spec);
		rc = -EINVAL;
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) || !*host) {
		snprintf(err, errlen, "output '%s': URL has no host", s->spec);
		rc = -EINVAL;
		goto cleanup;
	}
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &clean, 0) == CURLUE_OK) {
		char *name = strdup(clean);

		if (!name) {
			rc = -ENOMEM;
			snprintf(err, errlen, "output '%s': out of memory", s->spec);
			goto cleanup;
		}
		free(s->name);
		s->name = name;
	}
cleanup:
	curl_free(scheme);
	curl_free(host);
	curl_free(clean);
	curl_url_cleanup(u);
	return rc;
}

static bool http_matches(const char *spec)
{
	return !strncasecmp(spec, "http://", 7) || !strncasecmp(spec, "https://", 8);
}

static int http_open(struct sink *s, char *err, size_t errlen)
{
	const struct output_opts *o = s->opts;
	struct http_state *h;
	const char *const *hdr;
	struct curl_slist *l;
	int rc;

	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc) {
		snprintf(err, errlen, "output '%s': libcurl: %s", s->spec,
			 curl_easy_strerror(curl_init_rc));
		return -EIO;
	}
	rc = check_url(s, err, errlen);
	if (rc)
		return rc;
	if (o->http_ca_file && access(o->http_ca_file, R_OK)) {
		rc = -errno;
		snprintf(err, errlen, "output '%s': CA file %s: %s", s->name, o->http_ca_file,
			 strerror(-rc));
		return rc;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		goto nomem;
	s->http = h;
	h->seed = (unsigned int)getpid() ^ (unsigned int)(uintptr_t)s;
	h->body_cap = o->http_batch_bytes;
	h->body = malloc(h->body_cap);
	h->curl = curl_easy_init();
	if (!h->body || !h->curl)
		goto nomem;
	l = curl_slist_append(NULL, "Content-Type: application/x-ndjson");
	if (!l)
		goto nomem;
	h->headers = l;
	for (hdr = o->http_headers; hdr && *hdr; hdr++) {
		l = curl_slist_append(h->headers, *hdr);
		if (!l)
			goto nomem;
		h->headers = l;
	}

	curl_easy_setopt(h->curl, CURLOPT_URL, s->spec);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "osprey/" OSPREY_VERSION);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)o->http_connect_timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)o->http_timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->http_ca_file)
		curl_easy_setopt(h->curl, CURLOPT_CAINFO, o->http_ca_file);
	curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->curl_err);
	curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, s);
	return 0;
nomem:
	snprintf(err, errlen, "output '%s': out of memory", s->name);
	return -ENOMEM;
}

/* Retry-worthy: the server or the path to it may recover. */
static bool transient_status(long code)
{
	return code == 408 || code == 429 || code >= 500;
}

static uint64_t jitter(struct http_state *h, uint64_t ms)
{
	/* somewhere in [ms/2, ms]: agents of one fleet do not retry in lockstep */
	return ms / 2 + (uint64_t)rand_r(&h->seed) % (ms / 2 + 1);
}

static bool past_deadline(struct sink *s)
{
	struct timespec now;

	if (!atomic_load(&s->stop_flag))
		return false;
	sink_ts_now(&now);
	return sink_ts_cmp(&now, &s->deadline) >= 0;
}

/* POSTs body[0..len-1] until accepted. Returns 0 when delivered, -EPROTO on a permanent refusal,
 * -EIO when the retries are exhausted, -ETIMEDOUT when output_free()'s deadline passed. */
static int deliver(struct sink *s, size_t len)
{
	struct http_state *h = s->http;
	const struct output_opts *o = s->opts;
	uint64_t backoff = o->http_backoff_initial_ms;
	unsigned int attempt = 0;
	bool failing = false;

	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, h->body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	for (;;) {
		struct timespec until, now;
		CURLcode res;
		long code = 0;

		if (past_deadline(s))
			return -ETIMEDOUT;
		h->curl_err[0] = '\0';
		res = curl_easy_perform(h->curl);
		if (res == CURLE_OK)
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
		if (res == CURLE_OK && code >= 200 && code < 300) {
			if (failing)
				sink_log(s, LOG_NOTICE, "delivered after %u retries", attempt);
			return 0;
		}
		atomic_fetch_add(&s->errors, 1);
		if (res == CURLE_ABORTED_BY_CALLBACK)
			return -ETIMEDOUT;
		if (res == CURLE_OK && !transient_status(code)) {
			sink_log(s, LOG_ERR, "server refused the batch with HTTP %ld; dropping it",
				 code);
			return -EPROTO;
		}
		if (o->http_max_retries && attempt >= o->http_max_retries) {
			sink_log(s, LOG_ERR, "giving up after %u retries; dropping the batch",
				 attempt);
			return -EIO;
		}
		if (!failing) {
			if (res != CURLE_OK)
				sink_log(s, LOG_WARNING, "POST failed: %s; retrying with backoff",
					 h->curl_err[0] ? h->curl_err : curl_easy_strerror(res));
			else
				sink_log(s, LOG_WARNING, "POST got HTTP %ld; retrying with backoff",
					 code);
		}
		failing = true;
		attempt++;
		atomic_fetch_add(&s->retries, 1);
		sink_ts_now(&until);
		sink_ts_add_ms(&until, jitter(h, backoff));
		if (atomic_load(&s->stop_flag) && sink_ts_cmp(&s->deadline, &until) < 0)
			until = s->deadline;
		sink_ts_now(&now);
		if (sink_ts_cmp(&now, &until) < 0)
			sink_sleep_until(s, &until);
		backoff =
		    backoff * 2 > o->http_backoff_max_ms ? o->http_backoff_max_ms : backoff * 2;
	}
}

/* Shutdown deadline passed: drops everything still queued; inflight alerts of the abandoned batch
 * were already counted. */
static void drop_rest(struct sink *s, uint64_t inflight)
{
	uint64_t end, n;
	bool stopping, kicked;

	n = sink_wait(s, 0, NULL, &end, &stopping, &kicked);
	if (n) {
		atomic_fetch_add(&s->dropped_error, n);
		sink_release(s, end, n);
	}
	sink_log(s, LOG_ERR, "%llu alerts still queued at shutdown were not delivered",
		 (unsigned long long)(n + inflight));
}

static void *http_main(void *arg)
{
	struct sink *s = arg;
	struct http_state *h = s->http;
	const struct output_opts *o = s->opts;

	for (;;) {
		struct osq_rec r;
		uint64_t end, pos, n, k = 0;
		size_t len = 0;
		bool stopping, kicked;
		int rc;

		n = sink_wait(s, 1, NULL, &end, &stopping, &kicked);
		sink_report_drops(s, n);
		if (!n) {
			if (stopping)
				break;
			continue;
		}
		if (!stopping && n < o->http_batch_max && o->http_linger_ms) {
			struct timespec until;

			sink_ts_now(&until);
			sink_ts_add_ms(&until, o->http_linger_ms);
			n = sink_wait(s, o->http_batch_max, &until, &end, &stopping, &kicked);
		}
		pos = s->tail;
		while (k < o->http_batch_max) {
			uint64_t save = pos;

			if (!sink_next(s, &pos, end, &r))
				break;
			if (len + r.len > h->body_cap) {
				pos = save;
				break;
			}
			memcpy(h->body + len, r.data, r.len);
			len += r.len;
			k++;
		}
		rc = deliver(s, len);
		if (rc)
			atomic_fetch_add(&s->dropped_error, k);
		else
			atomic_fetch_add(&s->sent, k);
		sink_release(s, pos, k);
		if (rc == -ETIMEDOUT) {
			drop_rest(s, k);
			break;
		}
	}
	return NULL;
}

static void http_close(struct sink *s)
{
	struct http_state *h = s->http;

	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	free(h->body);
	free(h);
	s->http = NULL;
}

const struct sink_ops sink_http_ops = {
    .name = "http",
    .matches = http_matches,
    .open = http_open,
    .main = http_main,
    .close = http_close,
};
