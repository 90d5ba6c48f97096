#include "compat.h"

#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "jsonx.h"
#include "sim_ctl.h"
#include "sim_http.h"

#define SIM_HTTP_DESCRIBE_MAX 300   /* characters of an error body shown */

struct sim_http {
	CURL *curl;
	char *base;
	struct curl_slist *headers;
	char *body;
	size_t len;
	size_t size;
	bool too_big;
	char etag[SIM_HTTP_ETAG_MAX + 1];
	char errbuf[CURL_ERROR_SIZE];
};

/* Call once before any thread starts. */
int
sim_http_init(char **cause)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		*cause = xstrdup("libcurl could not be initialised");
		return -1;
	}
	return 0;
}

/* Release libcurl's global state, after every thread has ended. */
void
sim_http_cleanup(void)
{
	curl_global_cleanup();
}

/* The curl write callback: append to the reply, up to the cap. */
static size_t
sim_http_write(char *data, size_t size, size_t n, void *arg)
{
	struct sim_http *h = arg;
	size_t len = size * n;

	if (h->len + len > LIMIT_RESPONSE_BYTES) {
		h->too_big = true;
		return 0;
	}
	if (h->len + len + 1 > h->size) {
		while (h->len + len + 1 > h->size)
			h->size = h->size == 0 ? 4096 : h->size * 2;
		h->body = xrealloc(h->body, h->size);
	}
	memcpy(h->body + h->len, data, len);
	h->len += len;
	h->body[h->len] = '\0';
	return len;
}

/* The curl header callback: keep the ETag of the reply. */
static size_t
sim_http_header(char *data, size_t size, size_t n, void *arg)
{
	static const char name[] = "etag:";
	struct sim_http *h = arg;
	size_t len = size * n, start, end;

	if (len <= sizeof name - 1 || strncasecmp(data, name,
	    sizeof name - 1) != 0)
		return len;
	start = sizeof name - 1;
	end = len;
	while (start < end && (data[start] == ' ' || data[start] == '\t'))
		start++;
	while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n' ||
	    data[end - 1] == ' ' || data[end - 1] == '\t'))
		end--;
	h->etag[0] = '\0';
	if (end - start <= SIM_HTTP_ETAG_MAX) {
		memcpy(h->etag, data + start, end - start);
		h->etag[end - start] = '\0';
	}
	return len;
}

/* The curl progress callback: cut the request short on abort. */
static int
sim_http_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	return sim_ctl_state() == SIM_ABORT;
}

/* A client for the server at base_url. */
struct sim_http *
sim_http_new(const char *base_url)
{
	struct sim_http *h = xcalloc(1, sizeof *h);
	CURL *c;

	if ((c = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	h->curl = c;
	h->base = xstrdup(base_url);
	h->headers = curl_slist_append(NULL, "Content-Type: application/json");
	/* Send the body at once rather than waiting on a 100 Continue. */
	h->headers = curl_slist_append(h->headers, "Expect:");
	if (h->headers == NULL)
		fatal("out of memory");
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)SIM_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)SIM_REQUEST_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sim_http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sim_http_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, sim_http_progress);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "vigil-sim/" VIGIL_VERSION);
	return h;
}

/* Free a client. */
void
sim_http_free(struct sim_http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	free(h->base);
	free(h->body);
	free(h);
}

/* Perform the request set up on h's handle and fill *reply; 0 or -1 with *cause. */
static int
sim_http_perform(struct sim_http *h, const char *path, const char *user,
    const char *password, struct sim_http_reply *reply, char **cause)
{
	CURLcode rc;
	curl_off_t retry = 0;
	char *url;

	memset(reply, 0, sizeof *reply);
	h->len = 0;
	h->too_big = false;
	h->errbuf[0] = '\0';
	h->etag[0] = '\0';
	if (h->body != NULL)
		h->body[0] = '\0';
	url = xasprintf("%s%s", h->base, path);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_USERNAME, user);
	curl_easy_setopt(h->curl, CURLOPT_PASSWORD, password);
	rc = curl_easy_perform(h->curl);
	free(url);
	if (rc != CURLE_OK) {
		if (h->too_big)
			*cause = xasprintf("reply larger than %d bytes",
			    LIMIT_RESPONSE_BYTES);
		else
			*cause = xstrdup(h->errbuf[0] != '\0' ? h->errbuf :
			    curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &reply->status);
	if (curl_easy_getinfo(h->curl, CURLINFO_RETRY_AFTER, &retry) ==
	    CURLE_OK && retry > 0)
		reply->retry_after_s = retry > SIM_RETRY_AFTER_MAX_S ?
		    SIM_RETRY_AFTER_MAX_S : (long)retry;
	reply->body = h->body != NULL ? h->body : (char *)"";
	reply->len = h->len;
	reply->etag = h->etag;
	return 0;
}

/* POST body to base_url + path as user:password. */
int
sim_http_post(struct sim_http *h, const char *path, const char *user,
    const char *password, const char *body, size_t len,
    struct sim_http_reply *reply, char **cause)
{
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	return sim_http_perform(h, path, user, password, reply, cause);
}

/* GET base_url + path as user:password, conditional on etag. */
int
sim_http_get(struct sim_http *h, const char *path, const char *user,
    const char *password, const char *etag, struct sim_http_reply *reply,
    char **cause)
{
	struct curl_slist *headers = NULL;
	char *line;
	int rc;

	if (etag != NULL && etag[0] != '\0') {
		line = xasprintf("If-None-Match: %s", etag);
		if ((headers = curl_slist_append(NULL, line)) == NULL)
			fatal("out of memory");
		free(line);
	}
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
	rc = sim_http_perform(h, path, user, password, reply, cause);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_slist_free_all(headers);
	return rc;
}

/* Copy at most max bytes of s, every byte outside printable ASCII as '?'. */
static char *
sim_http_clean(const char *s, size_t len, size_t max)
{
	char *out;
	size_t n = len < max ? len : max;

	out = xmalloc(n + 4);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	strcpy(out + n, len > max ? "..." : "");
	return out;
}

/* A printable one-line account of an error reply. */
char *
sim_http_describe(const struct sim_http_reply *reply)
{
	char err[JSONX_ERR_LEN], *code = NULL, *msg = NULL, *out;
	json_t *v, *e, *c, *m;

	v = jsonx_parse(reply->body, reply->len, err, sizeof err);
	e = json_object_get(v, "error");
	c = json_object_get(e, "code");
	m = json_object_get(e, "message");
	if (json_is_string(c) && json_is_string(m)) {
		code = sim_http_clean(json_string_value(c),
		    json_string_length(c), SIM_HTTP_DESCRIBE_MAX);
		msg = sim_http_clean(json_string_value(m),
		    json_string_length(m), SIM_HTTP_DESCRIBE_MAX);
		out = xasprintf("%ld %s: %s", reply->status, code, msg);
	} else {
		msg = sim_http_clean(reply->body, reply->len,
		    SIM_HTTP_DESCRIBE_MAX);
		out = xasprintf("%ld %s", reply->status,
		    reply->len > 0 ? msg : "(empty reply)");
	}
	json_decref(v);
	free(code);
	free(msg);
	return out;
}
