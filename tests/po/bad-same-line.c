/* check-po.sh must reject this file: a macro inside _() on one line. */
#include <glib.h>
#include <glib/gi18n.h>

char *bad_same_line (guint64 n);

char *
bad_same_line (guint64 n)
{
  return g_strdup_printf (_("Version " G_STRINGIFY (1) ": %s"), "x");
}
