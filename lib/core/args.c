/* SPDX-License-Identifier: BSD-3-Clause */
/* "name,key=value" device-argument parsing. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sva_args.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static int add_pairs(struct sva_kvargs *out, const char *s, char *err, size_t errlen)
{
	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *item = s;
		s += len + (end ? 1 : 0);
		trim(&item, &len);
		if (len == 0)
			continue;
		const char *eq = memchr(item, '=', len);
		if (!eq)
			return fail(err, errlen, "'%.*s' is not key=value", (int)len, item);
		const char *key = item, *val = eq + 1;
		size_t klen = (size_t)(eq - item), vlen = len - klen - 1;
		trim(&key, &klen);
		trim(&val, &vlen);
		if (klen == 0)
			return fail(err, errlen, "empty key in '%.*s'", (int)len, item);
		/* Name the culprit without echoing it whole: a long value would push
		 * the reason out of the caller's buffer. */
		if (klen >= SVA_KVARGS_KEY_MAX)
			return fail(err, errlen, "key '%.*s...' is too long (%zu characters, at most %d)",
				    16, key, klen, SVA_KVARGS_KEY_MAX - 1);
		if (vlen >= SVA_KVARGS_VALUE_MAX)
			return fail(err, errlen,
				    "value of '%.*s' is too long (%zu characters, at most %d)",
				    (int)klen, key, vlen, SVA_KVARGS_VALUE_MAX - 1);
		if (out->n >= SVA_KVARGS_MAX)
			return fail(err, errlen, "more than %d key=value pairs", SVA_KVARGS_MAX);
		for (unsigned int i = 0; i < out->n; i++)
			if (strlen(out->kv[i].key) == klen && !strncmp(out->kv[i].key, key, klen))
				return fail(err, errlen, "key '%.*s' given twice", (int)klen, key);
		memcpy(out->kv[out->n].key, key, klen);
		out->kv[out->n].key[klen] = '\0';
		memcpy(out->kv[out->n].value, val, vlen);
		out->kv[out->n].value[vlen] = '\0';
		out->n++;
	}
	return 0;
}

int sva_kvargs_parse(struct sva_kvargs *out, const char *name, const char *args,
		     char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!name)
		return fail(err, errlen, "no device name");
	const char *comma = strchr(name, ',');
	size_t nlen = comma ? (size_t)(comma - name) : strlen(name);
	const char *n = name;
	trim(&n, &nlen);
	if (memchr(n, '=', nlen))
		return fail(err, errlen, "'%.*s': expected a name before the key=value pairs",
			    (int)nlen, n);
	if (nlen >= SVA_KVARGS_NAME_MAX)
		return fail(err, errlen, "name '%.*s...' is too long (%zu characters, at most %d)",
			    16, n, nlen, SVA_KVARGS_NAME_MAX - 1);
	memcpy(out->name, n, nlen);
	out->name[nlen] = '\0';
	int rc = comma ? add_pairs(out, comma + 1, err, errlen) : 0;
	if (rc == 0 && args)
		rc = add_pairs(out, args, err, errlen);
	return rc;
}

int sva_kvargs_check(const struct sva_kvargs *kv, const char *const *known,
		     char *err, size_t errlen)
{
	for (unsigned int i = 0; i < kv->n; i++) {
		int found = 0;
		for (const char *const *k = known; *k; k++)
			if (!strcmp(*k, kv->kv[i].key))
				found = 1;
		if (!found) {
			char list[512] = "";
			size_t off = 0;
			for (const char *const *k = known; *k && off < sizeof(list); k++)
				off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
							off ? ", " : "", *k);
			return fail(err, errlen, "unknown key '%s' (known: %s)", kv->kv[i].key,
				    list[0] ? list : "none");
		}
	}
	return 0;
}

const char *sva_kvargs_get(const struct sva_kvargs *kv, const char *key)
{
	for (unsigned int i = 0; i < kv->n; i++)
		if (!strcmp(kv->kv[i].key, key))
			return kv->kv[i].value;
	return NULL;
}

int sva_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s)
		return -EINVAL;
	unsigned int shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (shift && (*end == 'i' || *end == 'I'))
		end++;
	if (shift && (*end == 'b' || *end == 'B'))
		end++;
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

int sva_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "yes", "on", "true", "y"};
	static const char *const no[] = {"0", "no", "off", "false", "n"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

int sva_kvargs_u64(const struct sva_kvargs *kv, const char *key, uint64_t def,
		   uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	const char *v = sva_kvargs_get(kv, key);
	uint64_t x;
	if (!v) {
		*out = def;
		return 0;
	}
	int rc = sva_parse_u64(v, &x);
	if (rc < 0)
		return fail(err, errlen, "%s=%s: not a%s number", key, v,
			    rc == -ERANGE ? " representable" : "n unsigned");
	if (x < min || x > max)
		return fail(err, errlen, "%s=%s: out of range [%llu, %llu]", key, v,
			    (unsigned long long)min, (unsigned long long)max);
	*out = x;
	return 0;
}

int sva_kvargs_bool(const struct sva_kvargs *kv, const char *key, bool def, bool *out,
		    char *err, size_t errlen)
{
	const char *v = sva_kvargs_get(kv, key);
	if (!v) {
		*out = def;
		return 0;
	}
	if (sva_parse_bool(v, out) < 0)
		return fail(err, errlen, "%s=%s: expected 1/0, yes/no, on/off or true/false",
			    key, v);
	return 0;
}

int sva_kvargs_choice(const struct sva_kvargs *kv, const char *key, const char *const *choices,
		      int def, int *out, char *err, size_t errlen)
{
	const char *v = sva_kvargs_get(kv, key);
	if (!v) {
		*out = def;
		return 0;
	}
	for (int i = 0; choices[i]; i++) {
		if (!strcasecmp(v, choices[i])) {
			*out = i;
			return 0;
		}
	}
	char list[256] = "";
	size_t off = 0;
	for (int i = 0; choices[i] && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? "|" : "",
					choices[i]);
	return fail(err, errlen, "%s=%s: expected one of %s", key, v, list);
}
