/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Device-argument strings: "name,key=value,key=value".
 *
 * Parsing never logs by itself: every function that can fail writes a
 * one-line reason into the caller's buffer ("unknown key 'wq' (known: wqs,
 * engines)") and returns -EINVAL, so the caller decides how to report it.
 */
#ifndef SVA_ARGS_H
#define SVA_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SVA_KVARGS_MAX 32     /**< key=value pairs per string */
#define SVA_KVARGS_NAME_MAX 64   /**< name buffer: at most 63 characters (longer: -EINVAL) */
#define SVA_KVARGS_KEY_MAX 32    /**< key buffer: at most 31 characters (longer: -EINVAL) */
#define SVA_KVARGS_VALUE_MAX 256 /**< value buffer: at most 255 characters (longer: -EINVAL) */

/** A parsed "name,key=value,..." string. */
struct sva_kvargs {
	char name[SVA_KVARGS_NAME_MAX]; /**< text before the first comma ("" if none) */
	unsigned int n;                 /**< number of pairs */
	/** The pairs in the order given, n of them; keys are unique, key and value
	 *  are NUL-terminated with surrounding white space removed. */
	struct {
		char key[SVA_KVARGS_KEY_MAX];     /**< key, never empty */
		char value[SVA_KVARGS_VALUE_MAX]; /**< value, may be empty ("key=") */
	} kv[SVA_KVARGS_MAX];
};

/**
 * Parse @p name (which may itself carry ",key=value" pairs) and @p args
 * (more pairs, may be NULL or empty). Keys may appear once only.
 * @return 0, or -EINVAL with the reason in @p err.
 */
int sva_kvargs_parse(struct sva_kvargs *out, const char *name, const char *args,
		     char *err, size_t errlen);

/**
 * Check that every key is in the NULL-terminated list @p known.
 * @return 0, or -EINVAL naming the first unknown key and the known ones.
 */
int sva_kvargs_check(const struct sva_kvargs *kv, const char *const *known,
		     char *err, size_t errlen);

/** Value of @p key, or NULL when absent. */
const char *sva_kvargs_get(const struct sva_kvargs *kv, const char *key);

/**
 * Unsigned integer value of @p key within [min, max]; @p def when absent.
 * Accepts decimal, 0x hex and the size suffixes k, m, g (powers of 1024).
 * @return 0, or -EINVAL with the reason in @p err.
 */
int sva_kvargs_u64(const struct sva_kvargs *kv, const char *key, uint64_t def,
		   uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen);

/** Boolean value of @p key (1/0, yes/no, on/off, true/false); @p def when absent. */
int sva_kvargs_bool(const struct sva_kvargs *kv, const char *key, bool def, bool *out,
		    char *err, size_t errlen);

/**
 * Index of the value of @p key in the NULL-terminated list @p choices;
 * @p def when absent.
 */
int sva_kvargs_choice(const struct sva_kvargs *kv, const char *key, const char *const *choices,
		      int def, int *out, char *err, size_t errlen);

/**
 * Parse an unsigned integer with optional k/m/g suffix ("64k" = 65536).
 * @return 0, -EINVAL (not a number) or -ERANGE (too large).
 */
int sva_parse_u64(const char *s, uint64_t *out);

/** Parse a boolean word (1/0, yes/no, on/off, true/false). @return 0 or -EINVAL. */
int sva_parse_bool(const char *s, bool *out);

#endif
