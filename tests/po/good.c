/* check-po.sh must accept this file: numbers formatted apart, then "%s";
 * a literal "%%" and context/plural forms are fine. */
#include <glib.h>
#include <glib/gi18n.h>

char *good (const char *vm, guint64 n);

char *
good (const char *vm, guint64 n)
{
  g_autofree char *pages = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  g_autofree char *a = g_strdup_printf (_("%s needs %s pages"), vm, pages);
  g_autofree char *b = g_strdup_printf (_("100%%"));
  g_autofree char *c = g_strdup_printf (C_("memory", "%s free"), pages);
  return g_strdup_printf (g_dngettext (NULL, "%s page", "%s pages", n), pages);
}
