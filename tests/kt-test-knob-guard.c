/* kt-test-knob-guard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-test-knob-guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GUARD_MAX 32

/* Fixed storage, so the signal handler needs no allocation */
typedef struct
{
  char path[256];
  char value[64];
} Saved;

static Saved saved[GUARD_MAX];
static volatile sig_atomic_t n_saved;
static gboolean installed;

char *
kt_test_knob_read_raw (const char *path)
{
  g_autofree char *contents = NULL;
  const char *open_b, *close_b;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  open_b = strchr (contents, '[');
  close_b = open_b ? strchr (open_b, ']') : NULL;
  if (open_b != NULL && close_b != NULL)
    return g_strndup (open_b + 1, (gsize) (close_b - open_b - 1));
  return g_strdup (g_strstrip (contents));
}

/* Async-signal-safe */
static gboolean
write_value (const char *path,
             const char *value)
{
  size_t len = strlen (value);
  int fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, value, len) == (ssize_t) len && write (fd, "\n", 1) == 1;
  return close (fd) == 0 && ok;
}

gboolean
kt_test_knob_write_raw (const char *path,
                        const char *value)
{
  return write_value (path, value);
}

static void
restore_signal_safe (void)
{
  for (sig_atomic_t i = 0; i < n_saved; i++)
    write_value (saved[i].path, saved[i].value);
}

static void
on_signal (int sig)
{
  restore_signal_safe ();
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
on_exit_restore (void)
{
  kt_test_knob_guard_restore ();
}

void
kt_test_knob_guard_save (const char *path)
{
  g_autofree char *value = NULL;

  for (sig_atomic_t i = 0; i < n_saved; i++)
    if (strcmp (saved[i].path, path) == 0)
      return;

  value = kt_test_knob_read_raw (path);
  if (value == NULL || strlen (path) >= sizeof saved[0].path
      || strlen (value) >= sizeof saved[0].value || n_saved >= GUARD_MAX)
    g_error ("knob guard: cannot save %s", path);

  g_strlcpy (saved[n_saved].path, path, sizeof saved[0].path);
  g_strlcpy (saved[n_saved].value, value, sizeof saved[0].value);
  n_saved++;

  if (!installed)
    {
      installed = TRUE;
      atexit (on_exit_restore);
      signal (SIGABRT, on_signal);
      signal (SIGINT, on_signal);
      signal (SIGTERM, on_signal);
      signal (SIGSEGV, on_signal);
      signal (SIGTRAP, on_signal);
    }
}

void
kt_test_knob_guard_restore (void)
{
  for (sig_atomic_t i = 0; i < n_saved; i++)
    {
      g_autofree char *now = kt_test_knob_read_raw (saved[i].path);

      if (now == NULL || strcmp (now, saved[i].value) != 0)
        write_value (saved[i].path, saved[i].value);
    }
}

char *
kt_test_knob_guard_check (void)
{
  for (sig_atomic_t i = 0; i < n_saved; i++)
    {
      g_autofree char *now = kt_test_knob_read_raw (saved[i].path);

      if (now == NULL || strcmp (now, saved[i].value) != 0)
        return g_strdup_printf ("%s holds %s, not its original %s", saved[i].path,
                                now ? now : "(unreadable)", saved[i].value);
    }
  return NULL;
}
