/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software reference for the offload demo tests and benchmark.
 *
 *   offload_ref crc32c FILE...                 CRC-32C, as svadk-dsa crc32c prints it
 *   offload_ref crc64 [-M] [-I] FILE...        CRC-64/XZ (-M: not reflected, -I: no inversion)
 *   offload_ref gen text|random|zeros|mixed SIZE FILE [SEED]
 *
 * The CRCs are computed bit by bit from their definitions (table-driven for
 * speed), independent of the device model's kernels. crc32c uses the SSE4.2
 * instruction when the CPU has it, so that the benchmark compares the device
 * against a fast software CRC.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t t32[8][256];
static uint64_t t64[256];

static void init_crc32c(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ ((c & 1) ? 0x82F63B78u : 0);
		t32[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int s = 1; s < 8; s++)
			t32[s][i] = (t32[s - 1][i] >> 8) ^ t32[0][t32[s - 1][i] & 0xff];
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t c, const uint8_t *p,
								 size_t n)
{
	uint64_t c64 = c;
	while (n >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		c64 = __builtin_ia32_crc32di(c64, v);
		p += 8;
		n -= 8;
	}
	c = (uint32_t)c64;
	while (n--)
		c = __builtin_ia32_crc32qi(c, *p++);
	return c;
}
#endif

static uint32_t crc32c_sw(uint32_t c, const uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= c;
		c = t32[7][lo & 0xff] ^ t32[6][(lo >> 8) & 0xff] ^ t32[5][(lo >> 16) & 0xff] ^
		    t32[4][lo >> 24] ^ t32[3][hi & 0xff] ^ t32[2][(hi >> 8) & 0xff] ^
		    t32[1][(hi >> 16) & 0xff] ^ t32[0][hi >> 24];
		p += 8;
		n -= 8;
	}
	while (n--)
		c = (c >> 8) ^ t32[0][(c ^ *p++) & 0xff];
	return c;
}

static uint32_t crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
#if defined(__x86_64__)
	if (__builtin_cpu_supports("sse4.2"))
		return ~crc32c_hw(c, p, n);
#endif
	return ~crc32c_sw(c, p, n);
}

static void init_crc64(bool reflect)
{
	const uint64_t poly = 0x42F0E1EBA9EA3693ull;
	uint64_t rpoly = 0;
	for (int i = 0; i < 64; i++)
		if (poly & (1ull << i))
			rpoly |= 1ull << (63 - i);
	for (uint64_t i = 0; i < 256; i++) {
		uint64_t c;
		if (reflect) {
			c = i;
			for (int k = 0; k < 8; k++)
				c = (c >> 1) ^ ((c & 1) ? rpoly : 0);
		} else {
			c = i << 56;
			for (int k = 0; k < 8; k++)
				c = (c << 1) ^ ((c >> 63) ? poly : 0);
		}
		t64[i] = c;
	}
}

static uint64_t crc64(const uint8_t *p, size_t n, bool reflect, bool invert)
{
	uint64_t c = invert ? ~0ull : 0;
	if (reflect)
		while (n--)
			c = (c >> 8) ^ t64[(c ^ *p++) & 0xff];
	else
		while (n--)
			c = (c << 8) ^ t64[((c >> 56) ^ *p++) & 0xff];
	return invert ? ~c : c;
}

static const uint8_t *map(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "offload_ref: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	*n = (size_t)st.st_size;
	if (!*n) {
		close(fd);
		return (const uint8_t *)"";
	}
	void *a = mmap(NULL, *n, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (a == MAP_FAILED) {
		fprintf(stderr, "offload_ref: %s: mmap: %s\n", path, strerror(errno));
		exit(2);
	}
	return a;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1Dull;
}

static int gen(const char *kind, const char *size_s, const char *path, const char *seed)
{
	static const char *const words[] = {
		"the", "device", "queue", "page", "fault", "handler", "shared", "virtual",
		"address", "PASID", "descriptor", "completion", "record", "engine", "memory",
		"copy", "compress", "stream", "block", "of", "and", "a", "to", "in", "is",
	};
	char *end;
	unsigned long long size = strtoull(size_s, &end, 10);
	if (*end) {
		fprintf(stderr, "offload_ref: bad size %s\n", size_s);
		return 2;
	}
	if (seed)
		rng = strtoull(seed, NULL, 0) * 0x9E3779B97F4A7C15ull | 1;
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "offload_ref: %s: %s\n", path, strerror(errno));
		return 2;
	}
	static uint8_t buf[1 << 16];
	unsigned long long done = 0, line = 0;
	while (done < size) {
		size_t n = 0;
		bool random_block = !strcmp(kind, "random") ||
				    (!strcmp(kind, "mixed") && (done / sizeof(buf)) % 4 == 3);
		if (!strcmp(kind, "zeros")) {
			memset(buf, 0, sizeof(buf));
			n = sizeof(buf);
		} else if (random_block) {
			for (n = 0; n + 8 <= sizeof(buf); n += 8) {
				uint64_t v = next();
				memcpy(buf + n, &v, 8);
			}
		} else if (!strcmp(kind, "text") || !strcmp(kind, "mixed")) {
			while (n < sizeof(buf) - 64) {
				n += (size_t)snprintf((char *)buf + n, 64, "%llu ", ++line);
				unsigned int w = 3 + (unsigned int)(next() % 9);
				for (unsigned int i = 0; i < w; i++)
					n += (size_t)snprintf((char *)buf + n, 32, "%s%c",
							      words[next() % 25], i + 1 < w ? ' ' : '\n');
			}
		} else {
			fprintf(stderr, "offload_ref: unknown kind %s\n", kind);
			fclose(f);
			return 2;
		}
		if (n > size - done)
			n = (size_t)(size - done);
		if (fwrite(buf, 1, n, f) != n) {
			fprintf(stderr, "offload_ref: %s: write error\n", path);
			fclose(f);
			return 2;
		}
		done += n;
	}
	return fclose(f) ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "crc32c")) {
		init_crc32c();
		for (int i = 2; i < argc; i++) {
			size_t n;
			const uint8_t *p = map(argv[i], &n);
			printf("%08x  %s\n", crc32c(p, n), argv[i]);
		}
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "crc64")) {
		bool reflect = true, invert = true;
		int i = 2;
		for (; i < argc && argv[i][0] == '-'; i++) {
			if (!strcmp(argv[i], "-M"))
				reflect = false;
			else if (!strcmp(argv[i], "-I"))
				invert = false;
		}
		init_crc64(reflect);
		for (; i < argc; i++) {
			size_t n;
			const uint8_t *p = map(argv[i], &n);
			printf("%016llx  %s\n", (unsigned long long)crc64(p, n, reflect, invert),
			       argv[i]);
		}
		return 0;
	}
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "gen"))
		return gen(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL);
	fprintf(stderr,
		"usage: offload_ref crc32c FILE... | crc64 [-M] [-I] FILE... |\n"
		"       gen text|random|zeros|mixed SIZE FILE [SEED]\n");
	return 2;
}
