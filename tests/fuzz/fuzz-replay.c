/* fuzz-replay.c: runs a harness over files, without libFuzzer
 *
 * Usage: fuzz-replay-NAME FILE-OR-DIRECTORY...
 * Feeds every file (directories: every file in them, not recursing) to
 * LLVMFuzzerTestOneInput () once, as `meson test` does with the seed
 * corpora, so a crash libFuzzer found stays found in a gcc build too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint n_inputs;

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      fprintf (stderr, "fuzz-replay: %s\n", error->message);
      return FALSE;
    }
  /* An exact-size copy, so ASan sees a read past the end */
  {
    g_autofree guint8 *copy = g_memdup2 (data, len);
    LLVMFuzzerTestOneInput (copy, len);
  }
  n_inputs++;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  gboolean ok = TRUE;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
      return 2;
    }

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
          g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          if (dir == NULL)
            {
              fprintf (stderr, "fuzz-replay: %s\n", error->message);
              ok = FALSE;
              continue;
            }
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = g_build_filename (argv[i], name, NULL);
              if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
                g_ptr_array_add (names, g_steal_pointer (&path));
            }
          g_ptr_array_sort (names, compare_paths);
          for (guint j = 0; j < names->len; j++)
            {
              printf ("fuzz-replay: %s\n", (const char *) names->pdata[j]);
              fflush (stdout);
              ok &= replay_file (names->pdata[j]);
            }
        }
      else
        {
          printf ("fuzz-replay: %s\n", argv[i]);
          fflush (stdout);
          ok &= replay_file (argv[i]);
        }
    }

  printf ("fuzz-replay: %u inputs\n", n_inputs);
  if (n_inputs == 0)
    {
      fprintf (stderr, "fuzz-replay: no input found\n");
      return 1;
    }
  return ok ? 0 : 1;
}
