/* fuzz-common.h: what the libFuzzer harnesses share
 *
 * Each harness defines LLVMFuzzerTestOneInput (); it is linked either with
 * libFuzzer (clang, -fsanitize=fuzzer) or with fuzz-replay.c, which feeds
 * it the seed corpora as an ordinary test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kt-cpuset.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A broken invariant: print it and abort, so libFuzzer keeps the input.
 * Not g_assert (), which G_DISABLE_ASSERT would silence. */
#define FUZZ_CHECK(cond, ...)                                               \
  G_STMT_START {                                                           \
    if (G_UNLIKELY (!(cond)))                                              \
      {                                                                    \
        fprintf (stderr, "%s:%d: invariant failed: %s: ", __FILE__,        \
                 __LINE__, #cond);                                         \
        fprintf (stderr, __VA_ARGS__);                                     \
        fputc ('\n', stderr);                                              \
        abort ();                                                          \
      }                                                                    \
  } G_STMT_END

/* Criticals (a g_return_if_fail () tripped) are bugs; make them fatal once */
static inline void
fuzz_init (void)
{
  static gboolean done;

  if (!done)
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
      done = TRUE;
    }
}

/* The fuzz input as a stream of edit choices; reads past the end give 0 */
typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} FuzzBytes;

static inline gboolean
fuzz_bytes_left (const FuzzBytes *b)
{
  return b->pos < b->len;
}

static inline guint8
fuzz_u8 (FuzzBytes *b)
{
  return b->pos < b->len ? b->data[b->pos++] : 0;
}

static inline guint32
fuzz_u32 (FuzzBytes *b)
{
  guint32 v = 0;

  for (int i = 0; i < 4; i++)
    v = (v << 8) | fuzz_u8 (b);
  return v;
}

/* NULL, empty, a range, or up to 8 ids: small ids mostly, a far one now
 * and then (KT_CPUSET_LIMIT - 1 is the largest a set holds) */
static inline KtCpuset *
fuzz_cpuset (FuzzBytes *b)
{
  guint8 kind = fuzz_u8 (b);
  KtCpuset *set;

  switch (kind % 4)
    {
    case 0:
      return NULL;
    case 1:
      return kt_cpuset_new ();
    case 2:
      {
        guint first = fuzz_u8 (b) % 64, n = fuzz_u8 (b) % 64;
        return kt_cpuset_new_range (first, first + n);
      }
    default:
      set = kt_cpuset_new ();
      for (guint i = 0, n = 1 + (kind >> 2) % 8; i < n; i++)
        {
          guint8 id = fuzz_u8 (b);
          kt_cpuset_add (set, id == 0xff ? KT_CPUSET_LIMIT - 1 : id % 128);
        }
      return set;
    }
}

/* One of @n strings, or now and then an odd one */
static inline const char *
fuzz_pick (FuzzBytes          *b,
           const char * const *strings,
           guint               n)
{
  return strings[fuzz_u8 (b) % n];
}
