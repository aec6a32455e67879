/* check-po.sh must reject this file: the macro on the next line cuts the
 * msgid xgettext extracts to "%s needs %". */
#include <glib.h>
#include <glib/gi18n.h>

char *bad_split (const char *vm, guint64 n);

char *
bad_split (const char *vm, guint64 n)
{
  return g_strdup_printf (_("%s needs %"
                            G_GUINT64_FORMAT " pages"), vm, n);
}
