/* kt-cpuset.c: libvirt-style CPU / NUMA node sets
 *
 * A cpuset is a bitmap held in 64-bit words, grown on demand and never
 * beyond KT_CPUSET_LIMIT bits, so hostile input cannot make it allocate
 * more than 2 KiB.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kt-cpuset.h"
#include "kt-error.h"

#define WORD_BITS 64
#define MAX_WORDS (KT_CPUSET_LIMIT / WORD_BITS)

struct _KtCpuset
{
  guint64 *words;
  guint    n_words;
};

G_DEFINE_BOXED_TYPE (KtCpuset, kt_cpuset, kt_cpuset_copy, kt_cpuset_free)

KtCpuset *
kt_cpuset_new (void)
{
  return g_new0 (KtCpuset, 1);
}

static void
kt_cpuset_grow (KtCpuset *self,
                guint     n_words)
{
  if (n_words <= self->n_words)
    return;
  g_assert (n_words <= MAX_WORDS);
  self->words = g_renew (guint64, self->words, n_words);
  memset (self->words + self->n_words, 0, (n_words - self->n_words) * sizeof (guint64));
  self->n_words = n_words;
}

KtCpuset *
kt_cpuset_new_range (guint first,
                     guint last)
{
  KtCpuset *self = kt_cpuset_new ();

  g_return_val_if_fail (first <= last, self);
  g_return_val_if_fail (last < KT_CPUSET_LIMIT, self);

  for (guint i = first; i <= last; i++)
    kt_cpuset_add (self, i);
  return self;
}

KtCpuset *
kt_cpuset_copy (const KtCpuset *self)
{
  KtCpuset *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = kt_cpuset_new ();
  copy->n_words = self->n_words;
  copy->words = g_memdup2 (self->words, self->n_words * sizeof (guint64));
  return copy;
}

void
kt_cpuset_free (KtCpuset *self)
{
  if (self == NULL)
    return;
  g_free (self->words);
  g_free (self);
}

void
kt_cpuset_add (KtCpuset *self,
               guint     id)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (id < KT_CPUSET_LIMIT);

  kt_cpuset_grow (self, id / WORD_BITS + 1);
  self->words[id / WORD_BITS] |= G_GUINT64_CONSTANT (1) << (id % WORD_BITS);
}

void
kt_cpuset_remove (KtCpuset *self,
                  guint     id)
{
  g_return_if_fail (self != NULL);

  if (id / WORD_BITS < self->n_words)
    self->words[id / WORD_BITS] &= ~(G_GUINT64_CONSTANT (1) << (id % WORD_BITS));
}

gboolean
kt_cpuset_contains (const KtCpuset *self,
                    guint           id)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (id / WORD_BITS >= self->n_words)
    return FALSE;
  return (self->words[id / WORD_BITS] >> (id % WORD_BITS)) & 1;
}

guint
kt_cpuset_count (const KtCpuset *self)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->n_words; i++)
    n += __builtin_popcountll (self->words[i]);
  return n;
}

gboolean
kt_cpuset_is_empty (const KtCpuset *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  for (guint i = 0; i < self->n_words; i++)
    if (self->words[i])
      return FALSE;
  return TRUE;
}

static inline guint64
word_at (const KtCpuset *self,
         guint           i)
{
  return i < self->n_words ? self->words[i] : 0;
}

gboolean
kt_cpuset_equal (const KtCpuset *a,
                 const KtCpuset *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  for (guint i = 0; i < MAX (a->n_words, b->n_words); i++)
    if (word_at (a, i) != word_at (b, i))
      return FALSE;
  return TRUE;
}

/**
 * kt_cpuset_same:
 * @a: (nullable): a set, or %NULL for none (e.g. "not pinned")
 * @b: (nullable): likewise
 *
 * Like kt_cpuset_equal(), where no set equals only no set.
 */
gboolean
kt_cpuset_same (const KtCpuset *a,
                const KtCpuset *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return kt_cpuset_equal (a, b);
}

gboolean
kt_cpuset_is_subset (const KtCpuset *self,
                     const KtCpuset *of)
{
  g_return_val_if_fail (self != NULL && of != NULL, FALSE);

  for (guint i = 0; i < self->n_words; i++)
    if (self->words[i] & ~word_at (of, i))
      return FALSE;
  return TRUE;
}

gboolean
kt_cpuset_intersects (const KtCpuset *a,
                      const KtCpuset *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  for (guint i = 0; i < MIN (a->n_words, b->n_words); i++)
    if (a->words[i] & b->words[i])
      return TRUE;
  return FALSE;
}

void
kt_cpuset_union_in (KtCpuset       *self,
                    const KtCpuset *other)
{
  g_return_if_fail (self != NULL && other != NULL);

  kt_cpuset_grow (self, other->n_words);
  for (guint i = 0; i < other->n_words; i++)
    self->words[i] |= other->words[i];
}

KtCpuset *
kt_cpuset_union (const KtCpuset *a,
                 const KtCpuset *b)
{
  KtCpuset *r;

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  r = kt_cpuset_copy (a);
  kt_cpuset_union_in (r, b);
  return r;
}

KtCpuset *
kt_cpuset_intersection (const KtCpuset *a,
                        const KtCpuset *b)
{
  KtCpuset *r;

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  r = kt_cpuset_copy (a);
  for (guint i = 0; i < r->n_words; i++)
    r->words[i] &= word_at (b, i);
  return r;
}

KtCpuset *
kt_cpuset_difference (const KtCpuset *a,
                      const KtCpuset *b)
{
  KtCpuset *r;

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  r = kt_cpuset_copy (a);
  for (guint i = 0; i < r->n_words; i++)
    r->words[i] &= ~word_at (b, i);
  return r;
}

int
kt_cpuset_next (const KtCpuset *self,
                int             after)
{
  guint start;

  g_return_val_if_fail (self != NULL, -1);

  start = after < 0 ? 0 : (guint) after + 1;
  for (guint w = start / WORD_BITS; w < self->n_words; w++)
    {
      guint64 bits = self->words[w];

      if (w == start / WORD_BITS)
        bits &= ~G_GUINT64_CONSTANT (0) << (start % WORD_BITS);
      if (bits)
        return (int) (w * WORD_BITS + __builtin_ctzll (bits));
    }
  return -1;
}

int
kt_cpuset_first (const KtCpuset *self)
{
  return kt_cpuset_next (self, -1);
}

int
kt_cpuset_last (const KtCpuset *self)
{
  g_return_val_if_fail (self != NULL, -1);

  for (guint w = self->n_words; w > 0; w--)
    if (self->words[w - 1])
      return (int) ((w - 1) * WORD_BITS + 63 - __builtin_clzll (self->words[w - 1]));
  return -1;
}

GArray *
kt_cpuset_to_array (const KtCpuset *self)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (int));

  g_return_val_if_fail (self != NULL, ids);

  for (int i = kt_cpuset_first (self); i >= 0; i = kt_cpuset_next (self, i))
    g_array_append_val (ids, i);
  return ids;
}

char *
kt_cpuset_format (const KtCpuset *self)
{
  GString *s;
  int i;

  g_return_val_if_fail (self != NULL, NULL);

  s = g_string_new (NULL);
  i = kt_cpuset_first (self);
  while (i >= 0)
    {
      int last = i;
      int next;

      while ((next = kt_cpuset_next (self, last)) == last + 1)
        last = next;
      if (s->len)
        g_string_append_c (s, ',');
      if (last == i)
        g_string_append_printf (s, "%d", i);
      else
        g_string_append_printf (s, "%d-%d", i, last);
      i = next;
    }
  return g_string_free (s, FALSE);
}

/* Parsing ---------------------------------------------------------------- */

typedef struct
{
  const char *text;
  const char *p;
} Scanner;

static void
skip_blanks (Scanner *sc)
{
  while (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\n')
    sc->p++;
}

/* The input as quoted in messages: hostile input can be megabytes long */
static char *
shown (const char *text,
       gsize       len)
{
  g_autofree char *cut = g_strndup (text, MIN (len, 40));
  g_autofree char *valid = g_utf8_make_valid (cut, -1);

  return len <= 40 ? g_steal_pointer (&valid) : g_strconcat (valid, "…", NULL);
}

static gboolean
set_error (Scanner    *sc,
           GError    **error,
           const char *what)
{
  g_autofree char *text = shown (sc->text, strlen (sc->text));

  g_set_error (error, KT_ERROR, KT_ERROR_INVALID_CPUSET,
               /* Translators: cpuset syntax error; first %s is the cpuset */
               _("Invalid cpuset “%s”: %s at position %d"),
               text, what, (int) (sc->p - sc->text) + 1);
  return FALSE;
}

static gboolean
scan_number (Scanner  *sc,
             guint    *out,
             GError  **error)
{
  const char *start = sc->p;
  guint64 v = 0;

  skip_blanks (sc);
  start = sc->p;
  if (*sc->p == '-')
    return set_error (sc, error, _("negative numbers are not allowed"));
  if (!g_ascii_isdigit (*sc->p))
    {
      if (*sc->p == '\0')
        return set_error (sc, error, _("a number is missing"));
      return set_error (sc, error, _("expected a number"));
    }
  while (g_ascii_isdigit (*sc->p))
    {
      /* Stop accumulating once past the limit; keeps v from overflowing */
      if (v < KT_CPUSET_LIMIT)
        v = v * 10 + (guint64) (*sc->p - '0');
      sc->p++;
    }
  if (v >= KT_CPUSET_LIMIT)
    {
      g_autofree char *num = shown (start, sc->p - start);
      g_autofree char *text = shown (sc->text, strlen (sc->text));

      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_CPUSET,
                   _("Invalid cpuset “%s”: %s is out of range (the largest id is %d)"),
                   text, num, KT_CPUSET_LIMIT - 1);
      return FALSE;
    }
  skip_blanks (sc);
  *out = (guint) v;
  return TRUE;
}

KtCpuset *
kt_cpuset_parse (const char  *text,
                 GError     **error)
{
  g_autoptr(KtCpuset) self = NULL;
  Scanner sc = { text, text };

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = kt_cpuset_new ();

  skip_blanks (&sc);
  if (*sc.p == '\0')
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_CPUSET, _("The cpuset is empty"));
      return NULL;
    }

  for (;;)
    {
      gboolean negate = FALSE;
      guint first, last;

      skip_blanks (&sc);
      if (*sc.p == '^')
        {
          negate = TRUE;
          sc.p++;
        }
      if (!scan_number (&sc, &first, error))
        return NULL;
      last = first;
      if (*sc.p == '-')
        {
          if (negate)
            {
              set_error (&sc, error, _("“^” excludes a single id, not a range"));
              return NULL;
            }
          sc.p++;
          if (!scan_number (&sc, &last, error))
            return NULL;
          if (last < first)
            {
              set_error (&sc, error, _("range ends before it starts"));
              return NULL;
            }
        }

      if (negate)
        kt_cpuset_remove (self, first);
      else
        {
          kt_cpuset_grow (self, last / WORD_BITS + 1);
          for (guint i = first; i <= last; i++)
            self->words[i / WORD_BITS] |= G_GUINT64_CONSTANT (1) << (i % WORD_BITS);
        }

      if (*sc.p == '\0')
        break;
      if (*sc.p != ',')
        {
          set_error (&sc, error, _("unexpected character"));
          return NULL;
        }
      sc.p++;
    }

  if (kt_cpuset_is_empty (self))
    {
      g_autofree char *quoted = shown (text, strlen (text));

      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_CPUSET,
                   _("Invalid cpuset “%s”: it selects no CPU"), quoted);
      return NULL;
    }

  return g_steal_pointer (&self);
}
