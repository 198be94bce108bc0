/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Compression kernels of the software IAA device model: raw deflate on top of
 * zlib, with the IAA semantics (4 KiB history window when compressing, chunks
 * that concatenate into one stream, streaming decompression whose state spans
 * several descriptors).
 *
 * The functions are thread-safe; a struct sim_inflate is used by one thread at
 * a time.
 */
#ifndef SIM_DEFLATE_H
#define SIM_DEFLATE_H

#include <stdbool.h>
#include <stdint.h>

/** Compression level the device uses unless told otherwise. */
#define SIM_DEFLATE_LEVEL_DEFAULT 1

/**
 * Upper bound of the output of sim_deflate() for @p len input bytes, for
 * either value of @e last and any level. Incompressible data expands by up to
 * about 1/8: with a 4 KiB window zlib cannot always fall back to stored blocks,
 * and a fixed-Huffman literal takes up to 9 bits.
 */
uint64_t sim_deflate_bound(uint32_t len);

/**
 * Compress one chunk to raw deflate (no zlib/gzip header) with a 4 KiB history
 * window (zlib windowBits -12, like IAA).
 *
 * Each call is independent: no history is carried from one call to the next.
 * If @p last is false the output ends with a sync flush (an empty stored block:
 * byte aligned, BFINAL=0), so concatenating the outputs of successive calls,
 * the last one made with @p last true, gives one valid raw deflate stream.
 *
 * @param src      input (may be NULL when @p len is 0)
 * @param len      input bytes, 0 allowed
 * @param dst      output buffer
 * @param dst_cap  its size
 * @param last     end the stream (final block) rather than sync-flush
 * @param level    1 (fast, the device default) .. 9
 * @param out_len  receives the output length (0 on error)
 * @return 0; -ENOSPC when the output does not fit in @p dst_cap (the contents
 *         of @p dst are then undefined); -EINVAL for a bad level or argument;
 *         -ENOMEM when zlib cannot allocate its state.
 */
int sim_deflate(const void *src, uint32_t len, void *dst, uint32_t dst_cap, bool last,
		int level, uint32_t *out_len);

/**
 * A compression context kept between calls: sim_deflate_with() resets it
 * instead of setting zlib up (and tearing it down) for every chunk, and it
 * owns every allocation a call makes, so a call that never returns (the
 * caller's memory faulted under a guard) leaks nothing. Used by one thread
 * at a time.
 */
struct sim_deflater;

/** @return a new context, or NULL (no memory). zlib is set up on first use. */
struct sim_deflater *sim_deflater_new(void);

/** Free a context (NULL: no-op). */
void sim_deflater_free(struct sim_deflater *z);

/** sim_deflate() with the context @p z. */
int sim_deflate_with(struct sim_deflater *z, const void *src, uint32_t len, void *dst,
		     uint32_t dst_cap, bool last, int level, uint32_t *out_len);

/**
 * Streaming decompression state for a raw deflate stream that spans several
 * calls (stands in for the IAA AECS). 32 KiB window: it reads any raw deflate
 * stream, e.g. gzip -9 output, not only what sim_deflate() writes.
 */
struct sim_inflate;

/** @return a new state (ready for a call with first=true), or NULL (no memory). */
struct sim_inflate *sim_inflate_new(void);

/** Free @p s (NULL allowed). */
void sim_inflate_free(struct sim_inflate *s);

/**
 * Decompress raw deflate input.
 *
 * With @p first the state is reset and a new stream starts. All input is
 * consumed, except:
 * - the output fills up: -ENOSPC, *consumed and *produced tell how far it got;
 *   calling again (first=false) with the rest of the input (possibly none) and
 *   a new output buffer continues where it stopped. -ENOSPC is only returned
 *   when more output is actually pending: a stream that fills the buffer
 *   exactly returns 0 (or ends).
 * - the stream ends: returns 0 with *stream_end = true; input after the end of
 *   the stream is not consumed (*consumed tells where the stream ended).
 *   Further calls without @p first report the end again and consume nothing.
 *
 * @param s           state from sim_inflate_new()
 * @param src         input (may be NULL when @p len is 0)
 * @param len         input bytes
 * @param dst         output buffer (may be NULL when @p dst_cap is 0)
 * @param dst_cap     its size
 * @param first       start a new stream
 * @param last        no input follows this call: a stream that has not ended
 *                    once the input is consumed is truncated
 * @param consumed    receives the input bytes consumed
 * @param produced    receives the output bytes written
 * @param stream_end  receives whether the final block has completed
 * @return 0; -ENOSPC (see above); -EBADMSG corrupt data (the state stays in
 *         error until the next first=true call); -EPIPE when @p last and the
 *         input ended before the final block completed (truncated stream);
 *         -ENOMEM; -EINVAL bad argument.
 */
int sim_inflate(struct sim_inflate *s, const void *src, uint32_t len, void *dst,
		uint32_t dst_cap, bool first, bool last, uint32_t *consumed,
		uint32_t *produced, bool *stream_end);

#endif
