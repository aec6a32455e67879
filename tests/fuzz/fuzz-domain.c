/* fuzz-domain.c: domain XML, edited as the tuning panel edits it
 *
 * The input is a domain XML document, optionally followed by
 * FUZZ_EDIT_MARK and edit bytes: each edit byte picks a setter (pins,
 * numatune, memnode, hugepages, nosharepages, locked, memtune, CPU mode,
 * topology) and the bytes after it its arguments.
 *
 * Invariants:
 *  - unedited, the domain is written back byte for byte as it was read
 *    (for an input with a NUL byte, which a C string cannot carry, written
 *    text must at least read back and write the same again);
 *  - a refused edit changes nothing;
 *  - whatever the edits made reads back, and writes the same bytes again,
 *    and a copy writes them too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE 1 /* memmem */
#include <string.h>

#include "fuzz-common.h"
#include "kt-domain.h"

/* \x01 cannot appear in XML 1.0 text, in ASCII, UTF-8, UTF-16 or EBCDIC */
#define FUZZ_EDIT_MARK "\x01KT-EDITS\x01"

static const char * const numa_modes[] = {
  "strict", "interleave", "preferred", "restrictive", NULL, "", "bogus",
};
static const char * const cpu_modes[] = {
  "host-passthrough", "host-model", "maximum", "custom", "", "passthrough",
};
static const char * const cpu_models[] = {
  NULL, "", "Skylake-Server", "EPYC-Rome", "qemu64", "a<b&\"c\"", "Ω",
};
static const guint64 page_sizes[] = { 0, 4, 2048, 1048576, 16384, 1, G_MAXUINT64 };

static gboolean
apply_edit (KtDomain  *domain,
            FuzzBytes *b,
            GError   **error)
{
  guint8 op = fuzz_u8 (b);
  g_autoptr(KtCpuset) set = NULL;

  switch (op % 12)
    {
    case 0:
      {
        guint vcpu = fuzz_u8 (b) % 80;
        set = fuzz_cpuset (b);
        return kt_domain_set_vcpupin (domain, vcpu, set, error);
      }
    case 1:
      set = fuzz_cpuset (b);
      return kt_domain_set_emulatorpin (domain, set, error);
    case 2:
      {
        guint iothread = fuzz_u8 (b) % 8;
        set = fuzz_cpuset (b);
        return kt_domain_set_iothreadpin (domain, iothread, set, error);
      }
    case 3:
      {
        const char *mode = fuzz_pick (b, numa_modes, G_N_ELEMENTS (numa_modes));
        set = fuzz_cpuset (b);
        return kt_domain_set_numatune (domain, mode, set, error);
      }
    case 4:
      {
        guint cell = fuzz_u8 (b) % 8;
        const char *mode = fuzz_pick (b, numa_modes, G_N_ELEMENTS (numa_modes));
        set = fuzz_cpuset (b);
        return kt_domain_set_memnode (domain, cell, mode, set, error);
      }
    case 5:
      {
        guint64 size = page_sizes[fuzz_u8 (b) % G_N_ELEMENTS (page_sizes)];
        set = fuzz_cpuset (b);
        return kt_domain_set_hugepages (domain, size, set, error);
      }
    case 6:
      kt_domain_set_nosharepages (domain, fuzz_u8 (b) & 1);
      return TRUE;
    case 7:
      kt_domain_set_locked (domain, fuzz_u8 (b) & 1);
      return TRUE;
    case 8:
      {
        guint32 v = fuzz_u32 (b);
        gint64 kib = (v & 0xff) == 0xff ? -1 : (gint64) v * ((v & 1) ? 1024 : 1);
        return kt_domain_set_memtune_hard_limit (domain, kib, error);
      }
    case 9:
      {
        const char *mode = fuzz_pick (b, cpu_modes, G_N_ELEMENTS (cpu_modes));
        const char *model = fuzz_pick (b, cpu_models, G_N_ELEMENTS (cpu_models));
        return kt_domain_set_cpu_mode (domain, mode, model, error);
      }
    case 10:
      {
        guint sockets = fuzz_u8 (b) % 9, dies = fuzz_u8 (b) % 3;
        guint cores = fuzz_u8 (b) % 17, threads = fuzz_u8 (b) % 5;
        return kt_domain_set_cpu_topology (domain, sockets, dies, cores, threads, error);
      }
    default:
      /* unpin a vCPU, the commonest edit of all */
      return kt_domain_set_vcpupin (domain, fuzz_u8 (b) % 80, NULL, error);
    }
}

/* What is written reads back and writes the same bytes again */
static void
check_rereads (KtDomain   *domain,
               const char *written)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) again = NULL;
  g_autoptr(KtDomain) copy = NULL;
  g_autofree char *rewritten = NULL;
  g_autofree char *copied = NULL;

  again = kt_domain_new_from_xml (written, -1, &error);
  FUZZ_CHECK (again != NULL, "written XML does not read back: %s\n--- written:\n%s",
              error->message, written);
  rewritten = kt_domain_to_xml (again);
  FUZZ_CHECK (strcmp (written, rewritten) == 0, "reload writes other bytes\n--- first:\n%s\n--- again:\n%s",
              written, rewritten);
  FUZZ_CHECK (g_strcmp0 (kt_domain_get_name (domain), kt_domain_get_name (again)) == 0,
              "the name changed from \"%s\" to \"%s\"", kt_domain_get_name (domain),
              kt_domain_get_name (again));

  copy = kt_domain_copy (domain);
  copied = kt_domain_to_xml (copy);
  FUZZ_CHECK (strcmp (written, copied) == 0, "a copy writes other bytes");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) domain = NULL;
  g_autofree char *unedited = NULL;
  g_autofree char *edited = NULL;
  const char *xml = size > 0 ? (const char *) data : "";
  const guint8 *mark;
  FuzzBytes edits = { NULL, 0, 0 };
  gsize xml_len = size;

  fuzz_init ();

  mark = size > 0 ? memmem (data, size, FUZZ_EDIT_MARK, strlen (FUZZ_EDIT_MARK)) : NULL;
  if (mark != NULL)
    {
      xml_len = (gsize) (mark - data);
      edits.data = mark + strlen (FUZZ_EDIT_MARK);
      edits.len = size - xml_len - strlen (FUZZ_EDIT_MARK);
    }

  domain = kt_domain_new_from_xml (xml, xml_len, &error);
  if (domain == NULL)
    {
      FUZZ_CHECK (error != NULL && error->message[0] != '\0', "refused without a message");
      return 0;
    }
  FUZZ_CHECK (!kt_domain_is_modified (domain), "modified before any edit");

  unedited = kt_domain_to_xml (domain);
  if (memchr (xml, '\0', xml_len) == NULL)
    FUZZ_CHECK (strlen (unedited) == xml_len && memcmp (unedited, xml, xml_len) == 0,
                "unedited domain written back with other bytes (%zu read, %zu written)",
                xml_len, strlen (unedited));
  check_rereads (domain, unedited);

  for (guint n = 0; fuzz_bytes_left (&edits) && n < 64; n++)
    {
      g_autoptr(GError) edit_error = NULL;
      g_autofree char *before = kt_domain_to_xml (domain);

      if (!apply_edit (domain, &edits, &edit_error))
        {
          g_autofree char *after = kt_domain_to_xml (domain);

          FUZZ_CHECK (edit_error != NULL && edit_error->message[0] != '\0',
                      "edit %u refused without a message", n);
          FUZZ_CHECK (strcmp (before, after) == 0, "refused edit %u (%s) changed the XML",
                      n, edit_error->message);
        }
      else
        FUZZ_CHECK (edit_error == NULL, "edit %u done, yet an error: %s", n, edit_error->message);
    }

  edited = kt_domain_to_xml (domain);
  check_rereads (domain, edited);
  return 0;
}
