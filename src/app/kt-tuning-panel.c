/* kt-tuning-panel.c: the selected VM's tuning, beside the map
 *
 * What is shown is a preview: a copy of the VM's effective definition
 * (which already carries the plan's pins) with the panel's pending edits
 * replayed onto it.  vCPU pins typed here go through kt_plan_pin (), so
 * the map shows them as pending and Ctrl+Z takes them back; everything
 * else the plan cannot hold is kept here, per VM, as a KtEdits, checked
 * by replaying it onto copies of the VM's definitions, and replayed once
 * more onto the targets of the apply.
 *
 * Rows that depend on the VM's shape (its vCPUs, IOThreads and guest
 * cells) are built when the shape changes; the rest only update, so that
 * an entry keeps the focus while it is being edited.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kt-apply-dialog.h"
#include "kt-cpu-models.h"
#include "kt-describe.h"
#include "kt-error.h"
#include "kt-tuning-panel.h"
#include "kt-xml.h"

#define GIB_KIB G_GUINT64_CONSTANT (1048576)
/* A page-size item standing for the VM's own <hugepages/> with no size */
#define PAGE_SIZE_KEEP G_MAXUINT64

/* Pending edits ---------------------------------------------------------- */

typedef struct
{
  gboolean    has_emulatorpin;
  KtCpuset   *emulatorpin;      /* NULL: unpin */
  GHashTable *iothreadpins;     /* id → KtCpuset (empty: unpin) */
  char       *numa_mode;        /* NULL: unchanged */
  KtCpuset   *numa_nodeset;     /* NULL: unchanged */
  GHashTable *memnodes;         /* cellid → KtCpuset (empty: remove) */
  gboolean    has_hugepages;
  guint64     page_kib;         /* 0: no huge pages */
  KtCpuset   *page_cells;       /* NULL: every cell */
  int         nosharepages;     /* -1: unchanged */
  int         locked;
  gboolean    has_hard_limit;
  gint64      hard_limit_kib;
  char       *cpu_mode;         /* NULL: unchanged */
  char       *cpu_model;
  gboolean    has_topology;
  guint       topology[4];      /* sockets, dies, cores, threads */
} KtEdits;

static GHashTable *
pin_table_new (void)
{
  return g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                (GDestroyNotify) kt_cpuset_free);
}

static KtEdits *
edits_new (void)
{
  KtEdits *e = g_new0 (KtEdits, 1);

  e->iothreadpins = pin_table_new ();
  e->memnodes = pin_table_new ();
  e->nosharepages = -1;
  e->locked = -1;
  return e;
}

static void
edits_free (KtEdits *e)
{
  if (e == NULL)
    return;
  kt_cpuset_free (e->emulatorpin);
  g_hash_table_unref (e->iothreadpins);
  g_free (e->numa_mode);
  kt_cpuset_free (e->numa_nodeset);
  g_hash_table_unref (e->memnodes);
  kt_cpuset_free (e->page_cells);
  g_free (e->cpu_mode);
  g_free (e->cpu_model);
  g_free (e);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtEdits, edits_free)

static KtCpuset *
set_copy (const KtCpuset *set)
{
  return set != NULL ? kt_cpuset_copy (set) : NULL;
}

static void
copy_pin_table (GHashTable *to,
                GHashTable *from)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (to, key, kt_cpuset_copy (value));
}

static KtEdits *
edits_copy (const KtEdits *e)
{
  KtEdits *c = edits_new ();

  if (e == NULL)
    return c;
  c->has_emulatorpin = e->has_emulatorpin;
  c->emulatorpin = set_copy (e->emulatorpin);
  copy_pin_table (c->iothreadpins, e->iothreadpins);
  c->numa_mode = g_strdup (e->numa_mode);
  c->numa_nodeset = set_copy (e->numa_nodeset);
  copy_pin_table (c->memnodes, e->memnodes);
  c->has_hugepages = e->has_hugepages;
  c->page_kib = e->page_kib;
  c->page_cells = set_copy (e->page_cells);
  c->nosharepages = e->nosharepages;
  c->locked = e->locked;
  c->has_hard_limit = e->has_hard_limit;
  c->hard_limit_kib = e->hard_limit_kib;
  c->cpu_mode = g_strdup (e->cpu_mode);
  c->cpu_model = g_strdup (e->cpu_model);
  c->has_topology = e->has_topology;
  memcpy (c->topology, e->topology, sizeof c->topology);
  return c;
}

static guint
edits_count (const KtEdits *e)
{
  if (e == NULL)
    return 0;
  return (e->has_emulatorpin ? 1 : 0) + g_hash_table_size (e->iothreadpins)
         + (e->numa_mode != NULL || e->numa_nodeset != NULL ? 1 : 0)
         + g_hash_table_size (e->memnodes) + (e->has_hugepages ? 1 : 0)
         + (e->nosharepages >= 0 ? 1 : 0) + (e->locked >= 0 ? 1 : 0)
         + (e->has_hard_limit ? 1 : 0) + (e->cpu_mode != NULL ? 1 : 0)
         + (e->has_topology ? 1 : 0);
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = GPOINTER_TO_UINT (*(gconstpointer *) a), y = GPOINTER_TO_UINT (*(gconstpointer *) b);

  return x < y ? -1 : x > y;
}

static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_uint);
  return keys;
}

/* Makes the edits in @domain, in a fixed order */
static gboolean
edits_replay (const KtEdits  *e,
              KtDomain       *domain,
              GError        **error)
{
  if (e == NULL)
    return TRUE;

  if (e->cpu_mode != NULL
      && !kt_domain_set_cpu_mode (domain, e->cpu_mode, e->cpu_model, error))
    return FALSE;
  if (e->has_topology
      && !kt_domain_set_cpu_topology (domain, e->topology[0], e->topology[1], e->topology[2],
                                      e->topology[3], error))
    return FALSE;
  if ((e->numa_mode != NULL || e->numa_nodeset != NULL)
      && !kt_domain_set_numatune (domain, e->numa_mode, e->numa_nodeset, error))
    return FALSE;
  if (g_hash_table_size (e->memnodes) > 0)
    {
      g_autoptr(GPtrArray) keys = sorted_keys (e->memnodes);

      for (guint i = 0; i < keys->len; i++)
        {
          guint cell = GPOINTER_TO_UINT (g_ptr_array_index (keys, i));
          const KtCpuset *set = g_hash_table_lookup (e->memnodes, GUINT_TO_POINTER (cell));
          g_autoptr(KtTuning) t = kt_domain_get_tuning (domain);
          const char *mode = NULL;

          /* A memnode keeps its mode; a new one is strict */
          for (guint m = 0; m < t->memnodes->len; m++)
            if (g_array_index (t->memnodes, KtMemnode, m).cellid == cell)
              mode = g_array_index (t->memnodes, KtMemnode, m).mode;
          if (!kt_domain_set_memnode (domain, cell, mode,
                                      kt_cpuset_is_empty (set) ? NULL : set, error))
            return FALSE;
        }
    }
  if (e->has_hugepages
      && !kt_domain_set_hugepages (domain, e->page_kib, e->page_cells, error))
    return FALSE;
  if (e->nosharepages >= 0)
    kt_domain_set_nosharepages (domain, e->nosharepages);
  if (e->locked >= 0)
    kt_domain_set_locked (domain, e->locked);
  if (e->has_hard_limit && !kt_domain_set_memtune_hard_limit (domain, e->hard_limit_kib, error))
    return FALSE;
  if (e->has_emulatorpin && !kt_domain_set_emulatorpin (domain, e->emulatorpin, error))
    return FALSE;
  if (g_hash_table_size (e->iothreadpins) > 0)
    {
      g_autoptr(GPtrArray) keys = sorted_keys (e->iothreadpins);

      for (guint i = 0; i < keys->len; i++)
        {
          guint id = GPOINTER_TO_UINT (g_ptr_array_index (keys, i));
          const KtCpuset *set = g_hash_table_lookup (e->iothreadpins, GUINT_TO_POINTER (id));

          if (!kt_domain_set_iothreadpin (domain, id, kt_cpuset_is_empty (set) ? NULL : set,
                                          error))
            return FALSE;
        }
    }
  return TRUE;
}

/* CPU models from the domain capabilities (kt-cpu-models.h) */
typedef KtCpuModel CpuModel;

/* The panel -------------------------------------------------------------- */

typedef enum
{
  FIELD_VCPU,
  FIELD_EMULATOR,
  FIELD_IOTHREAD,
  FIELD_NODESET,
  FIELD_MEMNODE,
  FIELD_PAGE_CELLS,
  FIELD_CPU_MODEL,
} FieldKind;

/* A row with an entry for a set of host CPUs, host nodes or guest cells */
typedef struct
{
  KtTuningPanel *panel;
  FieldKind      kind;
  guint          id;          /* vCPU, IOThread or guest cell */
  AdwActionRow  *row;
  GtkEntry      *entry;       /* owned */
  GtkEventController *focus;  /* owned */
  char          *hint;        /* the subtitle while the text is valid */
  gboolean       hint_warns;
  char          *error;       /* why the text is refused; kept until it changes */
} Field;

struct _KtTuningPanel
{
  GtkWidget            parent_instance;

  /* Template */
  GtkLabel            *title_label;
  GtkLabel            *detail_label;
  GtkWidget           *apply_button;
  GtkWidget           *discard_button;
  GtkScrolledWindow   *scroller;
  AdwPreferencesGroup *pinning_group;
  AdwComboRow         *numa_mode_row;
  AdwActionRow        *numa_nodeset_row;
  AdwActionRow        *memory_warning_row;
  AdwPreferencesGroup *cells_group;
  AdwComboRow         *page_size_row;
  AdwActionRow        *page_cells_row;
  AdwActionRow        *page_free_row;
  AdwActionRow        *page_warning_row;
  AdwActionRow        *nosharepages_row;
  GtkSwitch           *nosharepages_switch;
  AdwActionRow        *locked_row;
  GtkSwitch           *locked_switch;
  AdwActionRow        *hard_limit_row;
  GtkWidget           *hard_limit_fix_row;
  AdwComboRow         *cpu_mode_row;
  AdwComboRow         *cpu_model_row;
  AdwActionRow        *cpu_model_text_row;
  AdwActionRow        *cpu_warning_row;
  AdwPreferencesGroup *topology_group;
  GtkSpinButton       *sockets_spin;
  GtkSpinButton       *dies_spin;
  GtkSpinButton       *cores_spin;
  GtkSpinButton       *threads_spin;
  AdwActionRow        *topology_check_row;

  /* The source and the VM */
  KtPlan              *plan;
  KtConnection        *connection;
  KtVm                *vm;
  GHashTable          *edits;          /* VM name → KtEdits */
  GCancellable        *cancellable;

  /* What is shown */
  KtDomain            *preview;        /* effective definition + edits */
  KtTuning            *preview_t;
  KtTuning            *base_t;         /* the effective definition as loaded */
  char                *preview_error;
  char                *shape;          /* what the rows were built for */
  GPtrArray           *fields;         /* Field, of the rows built for the shape */
  GPtrArray           *fixed_fields;   /* Field, of the template's rows */
  Field               *cpu_model_field;
  GPtrArray           *built_rows;     /* rows added to pinning_group and cells_group */
  GPtrArray           *numa_modes;     /* per item of numa_mode_row: mode or NULL */
  GPtrArray           *cpu_modes;      /* per item of cpu_mode_row */
  GPtrArray           *cpu_models;     /* CpuModel, per item of cpu_model_row */
  KtSnapshot          *cpu_models_of;
  char                *cpu_host_model; /* host-model's model, from the capabilities */
  GArray              *page_sizes;     /* guint64 per item of page_size_row */

  /* Refusals shown in place of a row's subtitle until the next change */
  char                *numa_mode_error;
  char                *page_size_error;
  char                *cpu_error;
  char                *switch_error;

  guint                updating : 1;
  guint                building : 1;
  guint                topology_syncing : 1;
};

G_DEFINE_FINAL_TYPE (KtTuningPanel, kt_tuning_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PLAN,
  PROP_CONNECTION,
  PROP_VM,
  N_PROPS
};

enum {
  VM_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void refresh (KtTuningPanel *self);

/* Helpers ---------------------------------------------------------------- */

static KtHost *
get_host (KtTuningPanel *self)
{
  return self->plan != NULL ? kt_snapshot_get_host (kt_plan_get_snapshot (self->plan)) : NULL;
}

static KtEdits *
get_edits (KtTuningPanel *self)
{
  return self->vm != NULL ? g_hash_table_lookup (self->edits, kt_vm_get_name (self->vm)) : NULL;
}

static void
show_toast (KtTuningPanel *self,
            AdwToast      *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    {
      g_message ("%s", adw_toast_get_title (toast));
      g_object_unref (g_object_ref_sink (toast));
    }
}

static void
show_message (KtTuningPanel *self,
              const char    *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 6);
  show_toast (self, toast);
}

/* "2 MiB", "1 GiB", "4 KiB": page sizes, exact */
/* A number as text, so that no format macro goes inside a translatable
 * string (xgettext would cut the msgid at it) */
static char *
num (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static char *
format_page_size (guint64 kib)
{
  g_autofree char *n = NULL;

  if (kib >= GIB_KIB && kib % GIB_KIB == 0)
    return g_strdup_printf (_("%s GiB"), (n = num (kib / GIB_KIB)));
  if (kib >= 1024 && kib % 1024 == 0)
    return g_strdup_printf (_("%s MiB"), (n = num (kib / 1024)));
  return g_strdup_printf (_("%s KiB"), (n = num (kib)));
}

static char *
format_kib (guint64 kib)
{
  return g_format_size_full (kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
}

/* "node 0", "nodes 0-1" */
static char *
format_nodes (const KtCpuset *nodes)
{
  g_autofree char *text = kt_cpuset_format (nodes);

  if (kt_cpuset_count (nodes) == 1)
    return g_strdup_printf (_("node %s"), text);
  return g_strdup_printf (_("nodes %s"), text);
}

static void
set_row_class (gpointer    row,
               const char *css_class,
               gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (GTK_WIDGET (row), css_class);
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), css_class);
}

/* Memory the host can give on @nodes: free where known, else all of it;
 * FALSE when neither is known for some node */
static gboolean
nodes_memory (KtHost         *host,
              const KtCpuset *nodes,
              guint64        *kib)
{
  *kib = 0;
  for (int n = kt_cpuset_first (nodes); n >= 0; n = kt_cpuset_next (nodes, n))
    {
      const KtHostNode *node = kt_host_lookup_node (host, n);

      if (node == NULL)
        continue;
      if (node->free_kib >= 0)
        *kib += (guint64) node->free_kib;
      else if (node->has_memory)
        *kib += node->memory_kib;
      else
        return FALSE;
    }
  return TRUE;
}

/* Whether libnuma told the free memory of every node of @nodes */
static gboolean
nodes_free_known (KtHost         *host,
                  const KtCpuset *nodes)
{
  for (int n = kt_cpuset_first (nodes); n >= 0; n = kt_cpuset_next (nodes, n))
    {
      const KtHostNode *node = kt_host_lookup_node (host, n);

      if (node != NULL && node->free_kib < 0)
        return FALSE;
    }
  return TRUE;
}

/* Free (else reserved) huge pages of @size_kib on @nodes (NULL: all) */
static guint64
nodes_pages (KtHost         *host,
             const KtCpuset *nodes,
             guint64         size_kib,
             gboolean       *known_free)
{
  guint64 pages = 0;

  *known_free = TRUE;
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);

      if (nodes != NULL && !kt_cpuset_contains (nodes, node->id))
        continue;
      for (guint p = 0; p < node->pages->len; p++)
        {
          const KtHostPages *hp = &g_array_index (node->pages, KtHostPages, p);

          if (hp->size_kib != size_kib)
            continue;
          if (hp->free >= 0)
            pages += (guint64) hp->free;
          else
            {
              pages += hp->total;
              *known_free = FALSE;
            }
        }
    }
  return pages;
}

static guint64
reserved_pages (KtHost  *host,
                guint64  size_kib)
{
  guint64 total = 0;

  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);

      for (guint p = 0; p < node->pages->len; p++)
        if (g_array_index (node->pages, KtHostPages, p).size_kib == size_kib)
          total += g_array_index (node->pages, KtHostPages, p).total;
    }
  return total;
}

/* The VM's definitions as they were loaded: what an apply starts from */
static KtVm *
make_base (KtVm    *vm,
           GError **error)
{
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) inactive = NULL;

  if (kt_vm_get_live (vm) != NULL)
    {
      live = kt_domain_new_from_xml (kt_domain_get_original_xml (kt_vm_get_live (vm)), -1, error);
      if (live == NULL)
        return NULL;
    }
  if (kt_vm_get_inactive (vm) != NULL)
    {
      inactive = kt_domain_new_from_xml (kt_domain_get_original_xml (kt_vm_get_inactive (vm)),
                                         -1, error);
      if (inactive == NULL)
        return NULL;
    }
  return kt_vm_new (kt_vm_get_name (vm), kt_vm_get_state (vm), kt_vm_get_id (vm),
                    kt_vm_get_persistent (vm), live, inactive);
}

/* Copies of @vm's definitions with @edits made; what gets applied */
static gboolean
make_targets (KtVm           *vm,
              const KtEdits  *edits,
              KtDomain      **live,
              KtDomain      **config,
              GError        **error)
{
  g_autoptr(KtDomain) l = NULL;
  g_autoptr(KtDomain) c = NULL;

  if (kt_vm_is_active (vm))
    {
      l = kt_domain_copy (kt_vm_get_live (vm));
      if (!edits_replay (edits, l, error))
        {
          g_prefix_error (error, _("Running definition: "));
          return FALSE;
        }
    }
  if (kt_vm_get_inactive (vm) != NULL)
    {
      c = kt_domain_copy (kt_vm_get_inactive (vm));
      if (!edits_replay (edits, c, error))
        {
          g_prefix_error (error, _("Config: "));
          return FALSE;
        }
    }
  if (live != NULL)
    *live = g_steal_pointer (&l);
  if (config != NULL)
    *config = g_steal_pointer (&c);
  return TRUE;
}

/* Takes @candidate as the VM's edits if every definition takes it */
static gboolean
commit_edits (KtTuningPanel  *self,
              KtEdits        *candidate,
              GError        **error)
{
  if (self->vm == NULL)
    return FALSE;
  if (!make_targets (self->vm, candidate, NULL, NULL, error))
    {
      edits_free (candidate);
      return FALSE;
    }
  g_hash_table_replace (self->edits, g_strdup (kt_vm_get_name (self->vm)), candidate);
  refresh (self);
  return TRUE;
}

/* Fields ----------------------------------------------------------------- */

static void
field_free (gpointer data)
{
  Field *f = data;

  /* The entry may outlive its row for a moment: it must not call back */
  g_signal_handlers_disconnect_by_data (f->entry, f);
  g_signal_handlers_disconnect_by_data (f->focus, f);
  g_clear_object (&f->entry);
  g_clear_object (&f->focus);
  g_free (f->hint);
  g_free (f->error);
  g_free (f);
}

static void
field_show (Field      *f,
            const char *error)
{
  if (error != f->error)
    {
      g_free (f->error);
      f->error = g_strdup (error);
    }
  adw_action_row_set_subtitle (f->row, error != NULL ? error : f->hint ? f->hint : "");
  set_row_class (f->row, "kt-invalid", error != NULL);
  set_row_class (f->row, "kt-warning", error == NULL && f->hint_warns);
  set_row_class (f->entry, "error", error != NULL);
}

/* The set shown in @f now, from the preview; NULL: none */
static const KtCpuset *
field_value (Field          *f,
             const KtTuning *t)
{
  switch (f->kind)
    {
    case FIELD_VCPU:
      return kt_tuning_get_vcpupin (t, f->id);
    case FIELD_EMULATOR:
      return t->emulatorpin;
    case FIELD_IOTHREAD:
      return kt_tuning_get_iothreadpin (t, f->id);
    case FIELD_NODESET:
      return t->numa_nodeset;
    case FIELD_MEMNODE:
      for (guint i = 0; i < t->memnodes->len; i++)
        if (g_array_index (t->memnodes, KtMemnode, i).cellid == f->id)
          return g_array_index (t->memnodes, KtMemnode, i).nodeset;
      return NULL;
    case FIELD_PAGE_CELLS:
      return t->hugepages->len > 0 ? g_array_index (t->hugepages, KtHugepage, 0).nodeset : NULL;
    case FIELD_CPU_MODEL:
    default:
      return NULL;
    }
}

static char *
field_text (Field          *f,
            const KtTuning *t)
{
  const KtCpuset *set;

  if (f->kind == FIELD_CPU_MODEL)
    return g_strdup (g_strcmp0 (t->cpu_mode, "custom") == 0 && t->cpu_model ? t->cpu_model : "");
  set = field_value (f, t);
  return set != NULL ? kt_cpuset_format (set) : g_strdup ("");
}

/* Reads @text as the field's kind of set and checks it against the host
 * or the guest.  *@out NULL: an empty text, which means "none" */
static gboolean
field_parse (Field       *f,
             const char  *text,
             KtCpuset   **out,
             GError     **error)
{
  KtTuningPanel *self = f->panel;
  KtHost *host = get_host (self);
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autoptr(KtCpuset) set = NULL;

  *out = NULL;
  if (*stripped == '\0')
    {
      if (f->kind == FIELD_VCPU)
        {
          g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_CPUSET,
                               _("A vCPU needs at least one host CPU"));
          return FALSE;
        }
      if (f->kind == FIELD_NODESET && self->preview_t->numa_nodeset != NULL)
        {
          g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_CPUSET,
                               _("The memory needs at least one host node"));
          return FALSE;
        }
      return TRUE;
    }

  set = kt_cpuset_parse (stripped, error);
  if (set == NULL)
    return FALSE;
  if (kt_cpuset_is_empty (set))
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_CPUSET, _("The set is empty"));
      return FALSE;
    }
  switch (f->kind)
    {
    case FIELD_VCPU:
    case FIELD_EMULATOR:
    case FIELD_IOTHREAD:
      if (!kt_host_check_cpuset (host, set, error))
        return FALSE;
      break;
    case FIELD_NODESET:
    case FIELD_MEMNODE:
      if (!kt_host_check_nodeset (host, set, error))
        return FALSE;
      break;
    case FIELD_PAGE_CELLS:
      for (int c = kt_cpuset_first (set); c >= 0; c = kt_cpuset_next (set, c))
        if (kt_tuning_lookup_cell (self->preview_t, (guint) c) == NULL)
          {
            g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                         _("The VM has no guest NUMA cell %d"), c);
            return FALSE;
          }
      break;
    case FIELD_CPU_MODEL:
    default:
      g_assert_not_reached ();
    }
  *out = g_steal_pointer (&set);
  return TRUE;
}

static void
on_field_changed (Field *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;

  if (f->panel->updating || f->panel->building || f->panel->preview_t == NULL)
    return;
  if (f->kind == FIELD_CPU_MODEL)
    {
      field_show (f, *gtk_editable_get_text (GTK_EDITABLE (f->entry)) == '\0'
                       ? _("A custom CPU needs a model name") : NULL);
      return;
    }
  field_parse (f, gtk_editable_get_text (GTK_EDITABLE (f->entry)), &set, &error);
  field_show (f, error != NULL ? error->message : NULL);
}

static void
field_commit (Field *f)
{
  KtTuningPanel *self = f->panel;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) set = NULL;
  g_autofree char *now = NULL;
  const char *text;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL || self->preview_t == NULL)
    return;
  text = gtk_editable_get_text (GTK_EDITABLE (f->entry));

  if (f->kind == FIELD_CPU_MODEL)
    {
      g_autofree char *model = g_strstrip (g_strdup (text));

      now = field_text (f, self->preview_t);
      if (g_str_equal (model, now))
        return;
      if (*model == '\0')
        {
          field_show (f, _("A custom CPU needs a model name"));
          return;
        }
      e = edits_copy (get_edits (self));
      g_free (e->cpu_mode);
      g_free (e->cpu_model);
      e->cpu_mode = g_strdup ("custom");
      e->cpu_model = g_steal_pointer (&model);
      if (!commit_edits (self, e, &error))
        field_show (f, error->message);
      return;
    }

  if (!field_parse (f, text, &set, &error))
    {
      field_show (f, error->message);
      return;
    }
  if (kt_cpuset_same (set, field_value (f, self->preview_t)))
    {
      field_show (f, NULL);
      return;
    }
  /* The default pin set typed into a thread that already follows it */
  if (set != NULL && field_value (f, self->preview_t) == NULL
      && ((f->kind == FIELD_VCPU
           && kt_tuning_vcpu_pin_source (self->preview_t, f->id) == KT_PIN_SOURCE_DEFAULT)
          || (f->kind == FIELD_EMULATOR
              && kt_tuning_emulator_pin_source (self->preview_t) == KT_PIN_SOURCE_DEFAULT))
      && kt_cpuset_same (set, self->preview_t->vcpu_cpuset))
    {
      gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
      field_show (f, NULL);
      return;
    }

  if (f->kind == FIELD_VCPU)
    {
      if (!kt_plan_pin (self->plan, self->vm, &f->id, 1, set, &error))
        field_show (f, error->message);
      /* The plan's "changed" refreshes the panel and the map */
      return;
    }

  e = edits_copy (get_edits (self));
  switch (f->kind)
    {
    case FIELD_EMULATOR:
      e->has_emulatorpin = TRUE;
      g_clear_pointer (&e->emulatorpin, kt_cpuset_free);
      e->emulatorpin = g_steal_pointer (&set);
      break;
    case FIELD_IOTHREAD:
      g_hash_table_replace (e->iothreadpins, GUINT_TO_POINTER (f->id),
                            set != NULL ? g_steal_pointer (&set) : kt_cpuset_new ());
      break;
    case FIELD_NODESET:
      if (set == NULL)
        {
          edits_free (e);
          field_show (f, NULL);
          return;
        }
      g_clear_pointer (&e->numa_nodeset, kt_cpuset_free);
      e->numa_nodeset = g_steal_pointer (&set);
      break;
    case FIELD_MEMNODE:
      g_hash_table_replace (e->memnodes, GUINT_TO_POINTER (f->id),
                            set != NULL ? g_steal_pointer (&set) : kt_cpuset_new ());
      break;
    case FIELD_PAGE_CELLS:
      if (!self->preview_t->has_hugepages || self->preview_t->hugepages->len == 0)
        {
          edits_free (e);
          field_show (f, _("Choose a page size first"));
          return;
        }
      e->has_hugepages = TRUE;
      e->page_kib = g_array_index (self->preview_t->hugepages, KtHugepage, 0).size_kib;
      g_clear_pointer (&e->page_cells, kt_cpuset_free);
      e->page_cells = g_steal_pointer (&set);
      if (e->page_kib == 0)
        {
          edits_free (e);
          field_show (f, _("The VM’s huge pages have no size: choose one first"));
          return;
        }
      break;
    case FIELD_VCPU:
    case FIELD_CPU_MODEL:
    default:
      g_assert_not_reached ();
    }
  if (!commit_edits (self, e, &error))
    field_show (f, error->message);
}

static void
on_field_focus_leave (GtkEventControllerFocus *controller,
                      Field                   *f)
{
  field_commit (f);
}

/* Puts an entry at the end of @row and makes it a field */
static Field *
field_new (KtTuningPanel *self,
           AdwActionRow  *row,
           FieldKind      kind,
           guint          id,
           const char    *placeholder)
{
  Field *f = g_new0 (Field, 1);
  GtkEventController *focus;

  f->panel = self;
  f->kind = kind;
  f->id = id;
  f->row = row;
  f->entry = g_object_ref_sink (GTK_ENTRY (gtk_entry_new ()));
  gtk_widget_set_valign (GTK_WIDGET (f->entry), GTK_ALIGN_CENTER);
  gtk_editable_set_width_chars (GTK_EDITABLE (f->entry), kind == FIELD_CPU_MODEL ? 14 : 8);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (f->entry), kind == FIELD_CPU_MODEL ? 20 : 12);
  if (placeholder != NULL)
    gtk_entry_set_placeholder_text (f->entry, placeholder);
  gtk_accessible_update_property (GTK_ACCESSIBLE (f->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), -1);
  adw_action_row_add_suffix (row, GTK_WIDGET (f->entry));
  adw_action_row_set_activatable_widget (row, GTK_WIDGET (f->entry));

  g_signal_connect_swapped (f->entry, "changed", G_CALLBACK (on_field_changed), f);
  g_signal_connect_swapped (f->entry, "activate", G_CALLBACK (field_commit), f);
  focus = gtk_event_controller_focus_new ();
  f->focus = g_object_ref (focus);
  g_signal_connect (focus, "leave", G_CALLBACK (on_field_focus_leave), f);
  gtk_widget_add_controller (GTK_WIDGET (f->entry), focus);
  return f;
}

/* The rows built for the VM's shape ------------------------------------- */

static char *
compute_shape (KtTuningPanel *self)
{
  GString *s = g_string_new (NULL);
  const KtTuning *t = self->preview_t;

  if (t == NULL)
    return g_string_free (s, FALSE);
  g_string_append_printf (s, "%p %p %u|", (gpointer) self->vm,
                          (gpointer) kt_plan_get_snapshot (self->plan), t->vcpus);
  for (guint i = 0; i < t->iothread_ids->len; i++)
    g_string_append_printf (s, "%u,", g_array_index (t->iothread_ids, guint, i));
  g_string_append_c (s, '|');
  for (guint i = 0; i < t->cells->len; i++)
    g_string_append_printf (s, "%u,", g_array_index (t->cells, KtGuestCell, i).id);
  /* Nothing the panel's own edits change: rebuilding the combo rows'
   * models from their own "notify::selected" would pull the rug */
  g_string_append_printf (s, "|%d%d|%s|%d", self->base_t->numa_mode == NULL,
                          self->base_t->cpu_mode == NULL,
                          self->base_t->cpu_model != NULL ? self->base_t->cpu_model : "",
                          self->base_t->has_hugepages && self->base_t->hugepages->len > 0
                          && g_array_index (self->base_t->hugepages, KtHugepage, 0).size_kib == 0);
  return g_string_free (s, FALSE);
}

static void
remove_built_rows (KtTuningPanel *self)
{
  for (guint i = 0; i < self->built_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->built_rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->built_rows, 0);
  g_ptr_array_set_size (self->fields, 0);
}

static void
add_field_row (KtTuningPanel       *self,
               AdwPreferencesGroup *group,
               const char          *title,
               FieldKind            kind,
               guint                id,
               const char          *placeholder)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());

  /* Subtitles carry host and libvirt text: no markup */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_ptr_array_add (self->fields, field_new (self, row, kind, id, placeholder));
  adw_preferences_group_add (group, GTK_WIDGET (row));
  g_ptr_array_add (self->built_rows, row);
}

static const char *
numa_mode_label (const char *mode)
{
  if (mode == NULL)
    return _("Not Set");
  if (g_str_equal (mode, "strict"))
    return _("Strict");
  if (g_str_equal (mode, "interleave"))
    return _("Interleave");
  if (g_str_equal (mode, "preferred"))
    return _("Preferred");
  if (g_str_equal (mode, "restrictive"))
    return _("Restrictive");
  return mode;
}

static const char *
cpu_mode_label (const char *mode)
{
  if (mode == NULL)
    return _("Not Set");
  if (g_str_equal (mode, "host-passthrough"))
    return _("Host Passthrough");
  if (g_str_equal (mode, "host-model"))
    return _("Host Model");
  if (g_str_equal (mode, "maximum"))
    return _("Maximum");
  if (g_str_equal (mode, "custom"))
    return _("Custom Model");
  return mode;
}

static void
build_numa_modes (KtTuningPanel *self)
{
  static const char * const modes[] = { "strict", "interleave", "preferred", "restrictive" };
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  g_ptr_array_set_size (self->numa_modes, 0);
  /* "Not set" can only be gone back to: nothing removes a numatune */
  if (self->base_t->numa_mode == NULL)
    g_ptr_array_add (self->numa_modes, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    g_ptr_array_add (self->numa_modes, g_strdup (modes[i]));
  for (guint i = 0; i < self->numa_modes->len; i++)
    gtk_string_list_append (list, numa_mode_label (g_ptr_array_index (self->numa_modes, i)));
  adw_combo_row_set_model (self->numa_mode_row, G_LIST_MODEL (list));
}

static void
build_cpu_modes (KtTuningPanel *self)
{
  static const char * const modes[] = { "host-passthrough", "host-model", "maximum", "custom" };
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  g_ptr_array_set_size (self->cpu_modes, 0);
  if (self->base_t->cpu_mode == NULL)
    g_ptr_array_add (self->cpu_modes, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    g_ptr_array_add (self->cpu_modes, g_strdup (modes[i]));
  for (guint i = 0; i < self->cpu_modes->len; i++)
    gtk_string_list_append (list, cpu_mode_label (g_ptr_array_index (self->cpu_modes, i)));
  adw_combo_row_set_model (self->cpu_mode_row, G_LIST_MODEL (list));
}

static CpuModel *
lookup_cpu_model (KtTuningPanel *self,
                  const char    *name,
                  guint         *index)
{
  for (guint i = 0; name != NULL && i < self->cpu_models->len; i++)
    {
      CpuModel *m = g_ptr_array_index (self->cpu_models, i);

      if (g_str_equal (m->name, name))
        {
          if (index != NULL)
            *index = i;
          return m;
        }
    }
  return NULL;
}

static void
build_cpu_models (KtTuningPanel *self)
{
  KtSnapshot *snapshot = kt_plan_get_snapshot (self->plan);
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  const char *extra[] = { self->base_t->cpu_model };

  g_clear_pointer (&self->cpu_models, g_ptr_array_unref);
  self->cpu_models = kt_cpu_models_parse (kt_snapshot_get_domcaps_xml (snapshot));
  g_free (self->cpu_host_model);
  self->cpu_host_model = kt_cpu_models_host_model (kt_snapshot_get_domcaps_xml (snapshot));
  self->cpu_models_of = snapshot;
  /* The VM's own model, even when the host does not list it */
  if (self->cpu_models->len > 0)
    for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
      if (extra[i] != NULL && lookup_cpu_model (self, extra[i], NULL) == NULL)
        {
          CpuModel *m = g_new0 (CpuModel, 1);

          m->name = g_strdup (extra[i]);
          m->usable = TRUE;
          g_ptr_array_add (self->cpu_models, m);
        }
  for (guint i = 0; i < self->cpu_models->len; i++)
    gtk_string_list_append (list, ((CpuModel *) g_ptr_array_index (self->cpu_models, i))->name);
  adw_combo_row_set_model (self->cpu_model_row, G_LIST_MODEL (list));
}

static void
setup_model_item (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

/* Models the host cannot run are greyed out, with what blocks them */
static void
bind_model_item (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  KtTuningPanel *self = KT_TUNING_PANEL (user_data);
  GtkWidget *label = gtk_list_item_get_child (item);
  GtkStringObject *name = GTK_STRING_OBJECT (gtk_list_item_get_item (item));
  /* By the item, not its position: the row's own display of the selected
   * model has no position in the list */
  const CpuModel *m = self->cpu_models != NULL && name != NULL
                      ? lookup_cpu_model (self, gtk_string_object_get_string (name), NULL)
                      : NULL;

  gtk_label_set_label (GTK_LABEL (label), m != NULL ? m->name : "");
  set_row_class (label, "dim-label", m != NULL && !m->usable);
  if (m != NULL && !m->usable)
    {
      g_autofree char *tip = m->blockers
        ? g_strdup_printf (_("Not usable on this host; missing: %s"), m->blockers)
        : g_strdup (_("Not usable on this host"));

      gtk_widget_set_tooltip_text (label, tip);
    }
  else
    gtk_widget_set_tooltip_text (label, NULL);
}

static void
build_page_sizes (KtTuningPanel *self)
{
  KtHost *host = get_host (self);
  const GArray *sizes = kt_host_get_page_sizes (host);
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  guint64 none = 0, keep = PAGE_SIZE_KEEP;

  g_array_set_size (self->page_sizes, 0);
  g_array_append_val (self->page_sizes, none);
  gtk_string_list_append (list, _("None"));
  if (self->base_t->has_hugepages && self->base_t->hugepages->len > 0
      && g_array_index (self->base_t->hugepages, KtHugepage, 0).size_kib == 0)
    {
      g_array_append_val (self->page_sizes, keep);
      gtk_string_list_append (list, _("Host Default"));
    }
  /* The first size is the base page */
  for (guint i = 1; i < sizes->len; i++)
    {
      guint64 size = g_array_index (sizes, guint64, i);
      g_autofree char *label = format_page_size (size);
      g_autofree char *item = NULL;
      gboolean known_free;
      guint64 pages = nodes_pages (host, NULL, size, &known_free);
      g_autofree char *n = num (pages);

      if (known_free)
        /* Translators: a huge page size and how many pages of it are free */
        item = g_strdup_printf (_("%s (%s free)"), label, n);
      else
        item = g_strdup_printf (_("%s (%s reserved)"), label, n);
      g_array_append_val (self->page_sizes, size);
      gtk_string_list_append (list, item);
    }
  /* The VM's own size, even when this host has none of it */
  if (self->base_t->has_hugepages && self->base_t->hugepages->len > 0)
    {
      guint64 own = g_array_index (self->base_t->hugepages, KtHugepage, 0).size_kib;
      gboolean listed = own == 0;

      for (guint i = 0; i < self->page_sizes->len; i++)
        listed |= g_array_index (self->page_sizes, guint64, i) == own;
      if (!listed)
        {
          g_autofree char *label = format_page_size (own);
          g_autofree char *item = g_strdup_printf (_("%s (not on this host)"), label);

          g_array_append_val (self->page_sizes, own);
          gtk_string_list_append (list, item);
        }
    }
  adw_combo_row_set_model (self->page_size_row, G_LIST_MODEL (list));
}

static void set_topology_spins (KtTuningPanel *self);

/* Forgets every refusal shown */
static void
clear_errors (KtTuningPanel *self)
{
  for (guint i = 0; i < self->fields->len; i++)
    g_clear_pointer (&((Field *) g_ptr_array_index (self->fields, i))->error, g_free);
  for (guint i = 0; i < self->fixed_fields->len; i++)
    g_clear_pointer (&((Field *) g_ptr_array_index (self->fixed_fields, i))->error, g_free);
  g_clear_pointer (&self->numa_mode_error, g_free);
  g_clear_pointer (&self->page_size_error, g_free);
  g_clear_pointer (&self->cpu_error, g_free);
  g_clear_pointer (&self->switch_error, g_free);
}

static void
rebuild (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  g_autofree char *cell_placeholder = NULL;

  self->building = TRUE;
  remove_built_rows (self);

  for (guint v = 0; v < t->vcpus; v++)
    {
      g_autofree char *title = g_strdup_printf (_("vCPU %u"), v);

      add_field_row (self, self->pinning_group, title, FIELD_VCPU, v, _("any"));
    }
  add_field_row (self, self->pinning_group, _("Emulator"), FIELD_EMULATOR, 0, _("any"));
  for (guint i = 0; i < t->iothread_ids->len; i++)
    {
      guint id = g_array_index (t->iothread_ids, guint, i);
      g_autofree char *title = g_strdup_printf (_("IOThread %u"), id);

      add_field_row (self, self->pinning_group, title, FIELD_IOTHREAD, id, _("any"));
    }

  for (guint i = 0; i < t->cells->len; i++)
    {
      guint id = g_array_index (t->cells, KtGuestCell, i).id;
      g_autofree char *title = g_strdup_printf (_("Cell %u"), id);

      add_field_row (self, self->cells_group, title, FIELD_MEMNODE, id, _("as above"));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->cells_group), t->cells->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->page_cells_row), t->cells->len > 0);

  build_numa_modes (self);
  build_cpu_modes (self);
  build_cpu_models (self);
  build_page_sizes (self);
  set_topology_spins (self);

  clear_errors (self);
  self->building = FALSE;
}

/* Updating the values ---------------------------------------------------- */

static char *
pin_hint (KtTuningPanel  *self,
          const KtCpuset *now,
          const KtCpuset *was,
          gboolean        pending,
          const char     *unpinned,
          const char     *was_unpinned)
{
  g_autofree char *where = NULL;
  g_autoptr(KtCpuset) nodes = NULL;

  if (now == NULL)
    where = g_strdup (unpinned);
  else
    {
      nodes = kt_host_nodes_of_cpus (get_host (self), now);
      where = kt_cpuset_is_empty (nodes) ? g_strdup ("") : format_nodes (nodes);
    }
  if (pending)
    {
      g_autofree char *before = was != NULL ? kt_cpuset_format (was) : g_strdup (was_unpinned);

      /* Translators: "node 0 · was 32": where a pending pin puts a thread,
       * and its pin before */
      return g_strdup_printf (_("%s · was %s"), where, before);
    }
  return g_steal_pointer (&where);
}

static void
update_field (KtTuningPanel *self,
              Field         *f)
{
  const KtTuning *t = self->preview_t;
  const KtTuning *b = self->base_t;
  g_autofree char *text = field_text (f, t);
  const KtCpuset *now = field_value (f, t);
  const KtCpuset *was = field_value (f, b);
  gboolean pending;
  GtkWidget *delegate = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (f->entry)));
  const char *shown = gtk_editable_get_text (GTK_EDITABLE (f->entry));

  if (f->kind == FIELD_CPU_MODEL)
    pending = g_strcmp0 (t->cpu_model, b->cpu_model) != 0;
  else if (f->kind == FIELD_VCPU)
    pending = kt_plan_is_pending (self->plan, self->vm, f->id) || !kt_cpuset_same (now, was);
  else
    pending = !kt_cpuset_same (now, was);

  g_clear_pointer (&f->hint, g_free);
  f->hint_warns = FALSE;
  switch (f->kind)
    {
    case FIELD_VCPU:
    case FIELD_EMULATOR:
    case FIELD_IOTHREAD:
      {
        KtThreadKind kind = f->kind == FIELD_VCPU ? KT_THREAD_VCPU
                            : f->kind == FIELD_EMULATOR ? KT_THREAD_EMULATOR : KT_THREAD_IOTHREAD;
        /* Without a pin of its own: the default <vcpu cpuset>, numad, or anywhere */
        g_autofree char *unpinned = kt_describe_unpinned (t, kind, f->id);
        g_autofree char *was_unpinned = kt_describe_unpinned_short (b, kind, f->id);
        g_autofree char *where = pin_hint (self, now, was, pending, unpinned ? unpinned : "",
                                           was_unpinned);
        g_autofree char *placeholder = kt_describe_placeholder (t, kind, f->id);

        gtk_entry_set_placeholder_text (f->entry, now == NULL ? placeholder : _("any"));
        if (kind == KT_THREAD_VCPU)
          {
            gboolean online = kt_tuning_vcpu_is_online (t, f->id);

            f->hint = kt_describe_vcpu_hint (t, f->id, where);
            /* Offline (hot-pluggable) vCPUs: greyed, still pinnable */
            set_row_class (f->row, "dim-label", !online);
          }
        else
          f->hint = g_steal_pointer (&where);
      }
      break;
    case FIELD_NODESET:
      if (now != NULL)
        {
          guint64 kib;

          if (nodes_memory (get_host (self), now, &kib))
            {
              g_autofree char *size = format_kib (kib);

              /* Translators: memory the host nodes have (free, when known) */
              f->hint = nodes_free_known (get_host (self), now)
                        ? g_strdup_printf (_("%s free there"), size)
                        : g_strdup_printf (_("%s there"), size);
            }
        }
      else
        f->hint = kt_describe_memory_unset (t);
      break;
    case FIELD_MEMNODE:
      {
        const KtGuestCell *cell = kt_tuning_lookup_cell (t, f->id);
        g_autofree char *size = cell ? format_kib (cell->memory_kib) : NULL;
        g_autofree char *cpus = cell && cell->cpus ? kt_cpuset_format (cell->cpus) : NULL;
        const KtCpuset *from = now != NULL ? now : t->numa_nodeset;
        g_autofree char *where = from != NULL ? format_nodes (from) : g_strdup (_("any node"));
        guint64 avail;

        if (cell == NULL)
          break;
        /* Translators: a guest NUMA cell: its vCPUs, its memory, and the
         * host nodes the memory comes from */
        f->hint = cpus ? g_strdup_printf (_("vCPUs %s · %s from %s"), cpus, size, where)
                       : g_strdup_printf (_("No vCPUs · %s from %s"), size, where);
        if (now != NULL && !t->has_hugepages && nodes_memory (get_host (self), now, &avail)
            && avail < cell->memory_kib && !kt_cpuset_same (now, was))
          {
            g_autofree char *have = format_kib (avail);
            char *warned = g_strdup_printf (_("%s — only %s free there"), f->hint, have);

            g_free (f->hint);
            f->hint = warned;
            f->hint_warns = TRUE;
          }
      }
      break;
    case FIELD_PAGE_CELLS:
      f->hint = g_strdup (now != NULL ? _("Only these guest cells use huge pages")
                                      : _("Empty: every guest cell"));
      break;
    case FIELD_CPU_MODEL:
      f->hint = g_strdup (_("The host listed no CPU models (read-only connections get none): "
                            "type one"));
      break;
    default:
      break;
    }

  set_row_class (f->row, "kt-pending", pending);

  /* Refused text stays, with why, until it is edited */
  if (f->error != NULL)
    {
      field_show (f, f->error);
      return;
    }

  /* An entry being typed in keeps its text while it means the same */
  if (!g_str_equal (shown, text))
    {
      gboolean same = FALSE;

      if (gtk_widget_has_focus (delegate) && f->kind != FIELD_CPU_MODEL)
        {
          g_autoptr(KtCpuset) typed = kt_cpuset_parse (shown, NULL);

          same = typed != NULL && kt_cpuset_same (kt_cpuset_is_empty (typed) ? NULL : typed, now);
        }
      if (!same)
        gtk_editable_set_text (GTK_EDITABLE (f->entry), text);
    }
  field_show (f, NULL);
}

static guint
index_of_mode (GPtrArray  *modes,
               const char *mode)
{
  for (guint i = 0; i < modes->len; i++)
    if (g_strcmp0 (g_ptr_array_index (modes, i), mode) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static void
show_row_state (gpointer    row,
                const char *error,
                const char *hint,
                gboolean    warns)
{
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), error ? error : hint ? hint : "");
  set_row_class (row, "kt-invalid", error != NULL);
  set_row_class (row, "kt-warning", error == NULL && warns);
}

static void
update_memory (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  const KtTuning *b = self->base_t;
  KtHost *host = get_host (self);
  guint pos = index_of_mode (self->numa_modes, t->numa_mode);
  g_autofree char *hint = NULL;
  guint64 avail = 0;

  if (pos != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->numa_mode_row, pos);
  if (t->numa_mode == NULL)
    hint = kt_describe_numa_mode_unset (t);
  else if (g_str_equal (t->numa_mode, "strict"))
    hint = g_strdup (_("Only from these nodes; fails when they are full"));
  else if (g_str_equal (t->numa_mode, "interleave"))
    hint = g_strdup (_("Spread round-robin over these nodes"));
  else if (g_str_equal (t->numa_mode, "preferred"))
    hint = g_strdup (_("From this node first, else from others"));
  else
    hint = g_strdup (_("Like strict, enforced by cgroups only"));
  show_row_state (self->numa_mode_row, self->numa_mode_error, hint, FALSE);
  set_row_class (self->numa_mode_row, "kt-pending", g_strcmp0 (t->numa_mode, b->numa_mode) != 0);

  /* Enough memory on the chosen nodes?  Huge pages come from their pools
   * instead (see below); a running VM's memory is already counted as used
   * on the nodes it has */
  gtk_widget_set_visible (GTK_WIDGET (self->memory_warning_row), FALSE);
  if (t->numa_nodeset != NULL && !t->has_hugepages && t->memory_kib > 0
      && nodes_memory (host, t->numa_nodeset, &avail))
    {
      if (kt_vm_is_active (self->vm) && b->numa_nodeset != NULL
          && kt_cpuset_intersects (b->numa_nodeset, t->numa_nodeset))
        avail += t->memory_kib;
      if (avail < t->memory_kib)
        {
          g_autofree char *need = format_kib (t->memory_kib);
          g_autofree char *have = format_kib (avail);
          g_autofree char *where = format_nodes (t->numa_nodeset);
          g_autofree char *text = NULL;

          /* Translators: "web1 needs 4.0 GiB; node 2 has 1.2 GiB free. It may…" */
          text = g_strdup_printf (_("%s needs %s; %s: %s free. %s"), kt_vm_get_name (self->vm),
                                  need, where, have,
                                  g_strcmp0 (t->numa_mode, "preferred") == 0
                                  ? _("The rest will come from other nodes.")
                                  : _("It may fail to start, or be killed when out of memory."));
          adw_action_row_set_subtitle (self->memory_warning_row, text);
          gtk_widget_set_visible (GTK_WIDGET (self->memory_warning_row), TRUE);
        }
    }
}

static guint64
preview_page_size (const KtTuning *t)
{
  if (!t->has_hugepages)
    return 0;
  if (t->hugepages->len == 0)
    return PAGE_SIZE_KEEP;
  return g_array_index (t->hugepages, KtHugepage, 0).size_kib;
}

static void
update_hugepages (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  const KtTuning *b = self->base_t;
  KtHost *host = get_host (self);
  guint64 size = preview_page_size (t);
  guint64 base_size = preview_page_size (b);
  g_autoptr(GString) free_text = g_string_new (NULL);
  g_autofree char *hint = NULL;
  const GArray *host_sizes = kt_host_get_page_sizes (host);
  guint64 base_page = host_sizes->len > 0 ? g_array_index (host_sizes, guint64, 0) : 0;
  gboolean locked_needs_limit;

  for (guint i = 0; i < self->page_sizes->len; i++)
    if (g_array_index (self->page_sizes, guint64, i) == size)
      adw_combo_row_set_selected (self->page_size_row, i);

  if (size == 0)
    hint = g_strdup (_("The VM uses the base pages"));
  else if (size == PAGE_SIZE_KEEP)
    hint = g_strdup (_("<hugepages/> without a size: the host’s default"));
  else if (t->hugepages->len > 1)
    hint = g_strdup (_("The VM has several page sizes; choosing one replaces them"));
  else
    {
      g_autofree char *mem = format_kib (t->memory_kib);
      g_autofree char *n = num (t->memory_kib / size);

      /* Translators: how many huge pages the VM's memory takes */
      hint = g_strdup_printf (_("%s pages for %s"), n, mem);
    }
  show_row_state (self->page_size_row, self->page_size_error, hint, FALSE);
  set_row_class (self->page_size_row, "kt-pending", size != base_size);

  /* Per host node: free pages where known, else the pool */
  for (guint i = 0; i < kt_host_get_n_nodes (host); i++)
    {
      const KtHostNode *node = kt_host_get_node (host, i);

      guint n_sizes = 0;

      if (free_text->len > 0)
        g_string_append_c (free_text, '\n');
      g_string_append_printf (free_text, _("Node %d:"), node->id);
      for (guint p = 0; p < node->pages->len; p++)
        {
          const KtHostPages *hp = &g_array_index (node->pages, KtHostPages, p);
          g_autofree char *label = NULL;

          if (hp->size_kib == base_page
              || (size != 0 && size != PAGE_SIZE_KEEP && hp->size_kib != size))
            continue;
          label = format_page_size (hp->size_kib);
          g_string_append (free_text, n_sizes++ > 0 ? " · " : " ");
          g_autofree char *n_free = num (hp->free);
          g_autofree char *n_total = num (hp->total);

          if (hp->free >= 0)
            /* Translators: "2 MiB: 512 free of 1024" huge pages */
            g_string_append_printf (free_text, _("%s: %s free of %s"), label, n_free, n_total);
          else
            /* Translators: "2 MiB: 1024 reserved" huge pages, how many are free unknown */
            g_string_append_printf (free_text, _("%s: %s reserved"), label, n_total);
        }
    }
  {
    /* A snapshot's figures are those of its capture */
    g_autofree char *as_of = kt_describe_free_as_of (host);

    if (as_of != NULL)
      g_string_append_printf (free_text, "\n%s", as_of);
  }
  adw_action_row_set_subtitle (self->page_free_row, free_text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->page_free_row), kt_host_get_n_nodes (host) > 0
                          && kt_host_get_page_sizes (host)->len > 1);

  /* Enough pages?  A running VM with this size already holds its pages */
  gtk_widget_set_visible (GTK_WIDGET (self->page_warning_row), FALSE);
  if (size != 0 && size != PAGE_SIZE_KEEP
      && !(kt_vm_is_active (self->vm) && size == base_size))
    {
      gboolean known_free;
      guint64 need = t->memory_kib / size;
      guint64 have = nodes_pages (host, t->numa_nodeset, size, &known_free);

      if (have < need)
        {
          g_autofree char *label = format_page_size (size);
          g_autofree char *where = t->numa_nodeset ? format_nodes (t->numa_nodeset)
                                                   : g_strdup (_("the host"));
          g_autofree char *text = NULL;
          g_autofree char *n_need = num (need);
          g_autofree char *n_have = num (have);

          /* Translators: "web1 needs 2048 pages of 2 MiB; node 0 has 1024 free" */
          text = g_strdup_printf (known_free ? _("%s needs %s pages of %s; %s has %s free")
                                             : _("%s needs %s pages of %s; %s has %s reserved"),
                                  kt_vm_get_name (self->vm), n_need, label, where, n_have);
          adw_action_row_set_subtitle (self->page_warning_row, text);
          gtk_widget_set_visible (GTK_WIDGET (self->page_warning_row), TRUE);
        }
    }

  gtk_switch_set_active (self->nosharepages_switch, t->nosharepages);
  gtk_switch_set_active (self->locked_switch, t->locked);
  set_row_class (self->nosharepages_row, "kt-pending", t->nosharepages != b->nosharepages);
  set_row_class (self->locked_row, "kt-pending", t->locked != b->locked);
  show_row_state (self->locked_row, self->switch_error,
                  _("Never swap the VM’s memory out (locked)"), FALSE);

  locked_needs_limit = t->locked && t->hard_limit_kib < 0;
  if (t->hard_limit_kib >= 0)
    {
      g_autofree char *limit = format_kib ((guint64) t->hard_limit_kib);

      show_row_state (self->hard_limit_row, NULL, limit, FALSE);
    }
  else
    show_row_state (self->hard_limit_row, NULL,
                    locked_needs_limit ? _("Not set: locked memory needs one, or libvirt refuses "
                                           "to start the VM")
                                       : _("Not set"),
                    locked_needs_limit);
  set_row_class (self->hard_limit_row, "kt-pending", t->hard_limit_kib != b->hard_limit_kib);
  gtk_widget_set_visible (self->hard_limit_fix_row, locked_needs_limit);
}

static void
update_cpu (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  const KtTuning *b = self->base_t;
  guint pos = index_of_mode (self->cpu_modes, t->cpu_mode);
  gboolean custom = g_strcmp0 (t->cpu_mode, "custom") == 0;
  gboolean listed = self->cpu_models->len > 0;
  CpuModel *model = NULL;
  guint model_pos = 0;
  g_autofree char *warning = NULL;
  const char *warning_title = _("Migration");
  gboolean warning_is_error = FALSE;

  if (pos != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->cpu_mode_row, pos);
  set_row_class (self->cpu_mode_row, "kt-pending", g_strcmp0 (t->cpu_mode, b->cpu_mode) != 0);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->cpu_mode_row),
                               t->cpu_mode == NULL ? _("The hypervisor’s default CPU") : "");

  gtk_widget_set_visible (GTK_WIDGET (self->cpu_model_row), custom && listed);
  gtk_widget_set_visible (GTK_WIDGET (self->cpu_model_text_row), custom && !listed);
  if (custom && listed)
    {
      model = lookup_cpu_model (self, t->cpu_model, &model_pos);
      if (model != NULL)
        adw_combo_row_set_selected (self->cpu_model_row, model_pos);
      set_row_class (self->cpu_model_row, "kt-pending",
                     g_strcmp0 (t->cpu_model, b->cpu_model) != 0);
    }

  if (self->cpu_error != NULL)
    {
      warning = g_strdup (self->cpu_error);
      warning_is_error = TRUE;
    }
  else if (model != NULL && !model->usable)
    {
      warning_title = _("Not Usable Here");
      warning = model->blockers
        ? g_strdup_printf (_("%s cannot run on this host; it lacks: %s"), model->name,
                           model->blockers)
        : g_strdup_printf (_("%s cannot run on this host"), model->name);
    }
  else if (g_strcmp0 (t->cpu_mode, "host-passthrough") == 0)
    warning = g_strdup (_("The guest sees this host’s exact CPU: live migration only works to "
                          "hosts with the same CPU and microcode"));
  else if (g_strcmp0 (t->cpu_mode, "maximum") == 0)
    warning = g_strdup (_("Every feature the hypervisor can offer: not migratable"));

  gtk_widget_set_visible (GTK_WIDGET (self->cpu_warning_row), warning != NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->cpu_warning_row),
                                 warning_is_error ? _("Refused") : warning_title);
  if (warning != NULL)
    show_row_state (self->cpu_warning_row, warning_is_error ? warning : NULL, warning, TRUE);
}

/* Guest topology: kept consistent with the vCPU count; a whole topology
 * becomes an edit (config only: it cannot change live).  Before, what is
 * typed here is checked against the vCPU count but never applied. */

static void
set_topology_spins (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;

  self->topology_syncing = TRUE;
  gtk_spin_button_set_value (self->sockets_spin, t->has_topology ? t->sockets : MAX (t->vcpus, 1));
  gtk_spin_button_set_value (self->dies_spin, t->has_topology ? MAX (t->dies, 1) : 1);
  gtk_spin_button_set_value (self->cores_spin, t->has_topology ? t->cores : 1);
  gtk_spin_button_set_value (self->threads_spin, t->has_topology ? t->threads : 1);
  self->topology_syncing = FALSE;
}

static void
update_topology_check (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  guint s = gtk_spin_button_get_value_as_int (self->sockets_spin);
  guint d = gtk_spin_button_get_value_as_int (self->dies_spin);
  guint c = gtk_spin_button_get_value_as_int (self->cores_spin);
  guint th = gtk_spin_button_get_value_as_int (self->threads_spin);
  guint clusters = t->has_topology && t->clusters > 1 ? t->clusters : 1;
  guint64 product = (guint64) s * d * clusters * c * th;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  gboolean same_as_defined;

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u vCPU", "%u vCPUs", t->vcpus),
                           t->vcpus);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->topology_check_row), title);
  same_as_defined = t->has_topology ? s == t->sockets && d == MAX (t->dies, 1) && c == t->cores
                                      && th == t->threads
                                    : s == t->vcpus && d == 1 && c == 1 && th == 1;
  if (product != t->vcpus)
    {
      /* Translators: sockets × dies × cores × threads = product, and the
       * VM's vCPU count it must equal */
      g_autofree char *n_product = num (product);

      text = g_strdup_printf (_("%u × %u × %u × %u = %s, but the VM has %u "
                                "vCPUs: libvirt needs the product of sockets, dies, clusters, "
                                "cores and threads to equal the vCPU count"),
                              s, d, c, th, n_product, t->vcpus);
      show_row_state (self->topology_check_row, text, NULL, FALSE);
      return;
    }
  if (same_as_defined)
    text = g_strdup_printf (t->has_topology ? _("%u × %u × %u × %u, as defined")
                                            : _("%u × %u × %u × %u: no <topology>, libvirt’s "
                                                "default"), s, d, c, th);
  else
    text = g_strdup_printf (_("%u × %u × %u × %u adds up; not applied (edit the domain XML to "
                              "change the topology)"), s, d, c, th);
  show_row_state (self->topology_check_row, NULL, text, !same_as_defined);
}

static void
on_topology_changed (KtTuningPanel *self,
                     GtkSpinButton *spin)
{
  const KtTuning *t = self->preview_t;
  guint s, d, c, th, clusters, rest;

  if (self->topology_syncing || t == NULL)
    return;

  /* Keep the product on the vCPU count: the sockets give way to the
   * others, the cores to the sockets, where the numbers divide */
  s = gtk_spin_button_get_value_as_int (self->sockets_spin);
  d = gtk_spin_button_get_value_as_int (self->dies_spin);
  c = gtk_spin_button_get_value_as_int (self->cores_spin);
  th = gtk_spin_button_get_value_as_int (self->threads_spin);
  clusters = t->has_topology && t->clusters > 1 ? t->clusters : 1;
  self->topology_syncing = TRUE;
  if (spin != self->sockets_spin)
    {
      rest = d * clusters * c * th;
      if (rest > 0 && t->vcpus % rest == 0 && t->vcpus / rest >= 1)
        gtk_spin_button_set_value (self->sockets_spin, t->vcpus / rest);
    }
  else
    {
      rest = s * d * clusters * th;
      if (rest > 0 && t->vcpus % rest == 0 && t->vcpus / rest >= 1)
        gtk_spin_button_set_value (self->cores_spin, t->vcpus / rest);
    }
  self->topology_syncing = FALSE;
  update_topology_check (self);

  /* A whole topology becomes an edit, applied to the config */
  {
    guint v[4] = {
      gtk_spin_button_get_value_as_int (self->sockets_spin),
      gtk_spin_button_get_value_as_int (self->dies_spin),
      gtk_spin_button_get_value_as_int (self->cores_spin),
      gtk_spin_button_get_value_as_int (self->threads_spin),
    };
    gboolean same = t->has_topology && v[0] == t->sockets && v[1] == MAX (t->dies, 1)
                    && v[2] == t->cores && v[3] == t->threads;
    g_autoptr(GError) error = NULL;
    KtEdits *e;

    if (same || (guint64) v[0] * v[1] * clusters * v[2] * v[3] != t->vcpus || self->vm == NULL)
      return;
    e = edits_copy (get_edits (self));
    e->has_topology = TRUE;
    memcpy (e->topology, v, sizeof v);
    if (!commit_edits (self, e, &error))
      show_row_state (self->topology_check_row, error->message, NULL, FALSE);
  }
}

static gboolean
preview_differs (KtTuningPanel *self)
{
  g_autofree char *xml = NULL;
  KtDomain *eff;

  if (self->vm == NULL || self->preview == NULL)
    return FALSE;
  eff = kt_vm_get_effective (self->vm);
  xml = kt_domain_to_xml (self->preview);
  return !g_str_equal (xml, kt_domain_get_original_xml (eff));
}

static gboolean
has_changes (KtTuningPanel *self,
             KtVm          *vm)
{
  g_autoptr(KtTuning) t = NULL;

  if (vm == NULL || self->plan == NULL)
    return FALSE;
  if (edits_count (g_hash_table_lookup (self->edits, kt_vm_get_name (vm))) > 0)
    return TRUE;
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  for (guint v = 0; v < t->vcpus; v++)
    if (kt_plan_is_pending (self->plan, vm, v))
      return TRUE;
  return FALSE;
}

/* Whether the VM boots with other tuning than it runs with: what was
 * applied to the config only */
static gboolean
config_differs (KtVm *vm)
{
  g_autoptr(KtTuning) l = NULL;
  g_autoptr(KtTuning) c = NULL;

  if (!kt_vm_is_active (vm) || kt_vm_get_inactive (vm) == NULL)
    return FALSE;
  l = kt_domain_get_tuning (kt_vm_get_live (vm));
  c = kt_domain_get_tuning (kt_vm_get_inactive (vm));
  if (g_strcmp0 (l->numa_mode, c->numa_mode) != 0 || !kt_cpuset_same (l->numa_nodeset, c->numa_nodeset)
      || l->has_hugepages != c->has_hugepages || l->nosharepages != c->nosharepages
      || l->locked != c->locked || l->hard_limit_kib != c->hard_limit_kib
      || g_strcmp0 (l->cpu_mode, c->cpu_mode) != 0 || g_strcmp0 (l->cpu_model, c->cpu_model) != 0
      || !kt_cpuset_same (l->emulatorpin, c->emulatorpin))
    return TRUE;
  for (guint v = 0; v < MIN (l->vcpus, c->vcpus); v++)
    if (!kt_cpuset_same (kt_tuning_get_vcpupin (l, v), kt_tuning_get_vcpupin (c, v)))
      return TRUE;
  return FALSE;
}

static void
update_header (KtTuningPanel *self)
{
  const KtTuning *t = self->preview_t;
  g_autofree char *memory = format_kib (t->memory_kib);
  g_autofree char *detail = NULL;
  guint n_pins = 0, n_edits = edits_count (get_edits (self));
  gboolean read_only = self->connection != NULL && kt_connection_is_read_only (self->connection);
  gboolean changes;

  for (guint v = 0; v < t->vcpus; v++)
    if (kt_plan_is_pending (self->plan, self->vm, v))
      n_pins++;
  changes = (n_pins + n_edits > 0) && preview_differs (self);

  gtk_label_set_label (self->title_label, kt_vm_get_name (self->vm));
  {
    /* "4 of 8 vCPUs" when some are offline (hot-pluggable) */
    g_autofree char *vcpus = kt_describe_vcpu_count (t);

    /* Translators: a VM's state, vCPU count and memory: "Running · 4 vCPUs · 4.0 GiB" */
    detail = g_strdup_printf (_("%s · %s · %s"),
                              kt_vm_is_active (self->vm) ? _("Running") : _("Shut off"),
                              vcpus, memory);
  }
  if (n_pins + n_edits > 0)
    {
      g_autofree char *with = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%s · %u pending",
                                                            "%s · %u pending",
                                                            n_pins + n_edits),
                                               detail, n_pins + n_edits);

      g_free (detail);
      detail = g_steal_pointer (&with);
    }
  if (config_differs (self->vm))
    {
      /* Translators: the VM's config has tuning it does not run with yet */
      g_autofree char *with = g_strdup_printf (_("%s · next boot differs"), detail);

      g_free (detail);
      detail = g_steal_pointer (&with);
    }
  if (self->preview_error != NULL)
    {
      g_free (detail);
      detail = g_strdup (self->preview_error);
    }
  gtk_label_set_label (self->detail_label, detail);
  /* The whole line, for when it is cut short */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_label), detail);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.apply", changes && !read_only);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.discard", n_edits > 0);
  if (read_only)
    gtk_widget_set_tooltip_text (self->apply_button,
                                 _("The connection is read-only: connect again without "
                                   "“Read-Only” to apply"));
  else if (!changes)
    gtk_widget_set_tooltip_text (self->apply_button, _("Nothing to apply yet"));
  else if (self->connection == NULL)
    gtk_widget_set_tooltip_text (self->apply_button,
                                 _("Write the changes into the snapshot (Ctrl+Return)"));
  else
    gtk_widget_set_tooltip_text (self->apply_button,
                                 _("Preview the libvirt calls and apply them (Ctrl+Return)"));
}

static void
compute_preview (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtDomain) base = NULL;
  KtDomain *eff;

  g_clear_object (&self->preview);
  g_clear_pointer (&self->preview_t, kt_tuning_unref);
  g_clear_pointer (&self->base_t, kt_tuning_unref);
  g_clear_pointer (&self->preview_error, g_free);
  if (self->vm == NULL || self->plan == NULL)
    return;

  eff = kt_vm_get_effective (self->vm);
  self->preview = kt_domain_copy (eff);
  if (!edits_replay (get_edits (self), self->preview, &error))
    {
      /* Checked when made; the definitions changed under them since */
      self->preview_error = g_strdup_printf (_("Pending changes no longer fit: %s"),
                                             error->message);
      g_clear_object (&self->preview);
      self->preview = kt_domain_copy (eff);
    }
  self->preview_t = kt_domain_get_tuning (self->preview);
  base = kt_domain_new_from_xml (kt_domain_get_original_xml (eff), -1, NULL);
  self->base_t = base != NULL ? kt_domain_get_tuning (base) : kt_tuning_ref (self->preview_t);
}

static void
refresh (KtTuningPanel *self)
{
  g_autofree char *shape = NULL;

  /* Building, or disposed (an apply's thread may answer late) */
  if (self->building || self->fields == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self), self->vm != NULL && self->plan != NULL);
  compute_preview (self);
  if (self->preview_t == NULL)
    {
      self->building = TRUE;
      remove_built_rows (self);
      self->building = FALSE;
      g_clear_pointer (&self->shape, g_free);
      return;
    }

  shape = compute_shape (self);
  if (g_strcmp0 (shape, self->shape) != 0)
    {
      rebuild (self);
      g_free (self->shape);
      self->shape = g_steal_pointer (&shape);
    }

  self->updating = TRUE;
  for (guint i = 0; i < self->fields->len; i++)
    update_field (self, g_ptr_array_index (self->fields, i));
  for (guint i = 0; i < self->fixed_fields->len; i++)
    update_field (self, g_ptr_array_index (self->fixed_fields, i));
  update_memory (self);
  update_hugepages (self);
  update_cpu (self);
  update_topology_check (self);
  update_header (self);
  self->updating = FALSE;
}

/* Template callbacks ----------------------------------------------------- */

static void
on_numa_mode_selected (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  guint pos = adw_combo_row_get_selected (self->numa_mode_row);
  const char *mode;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL || pos >= self->numa_modes->len)
    return;
  mode = g_ptr_array_index (self->numa_modes, pos);
  if (g_strcmp0 (mode, self->preview_t->numa_mode) == 0)
    return;
  g_clear_pointer (&self->numa_mode_error, g_free);
  e = edits_copy (get_edits (self));
  g_free (e->numa_mode);
  e->numa_mode = g_strdup (mode);
  if (mode == NULL)
    /* Back to no numatune at all: only undoing the edit gets there */
    g_clear_pointer (&e->numa_nodeset, kt_cpuset_free);
  if (!commit_edits (self, e, &error))
    {
      self->numa_mode_error = g_strdup (error->message);
      refresh (self);
    }
}

static void
on_page_size_selected (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  guint pos = adw_combo_row_get_selected (self->page_size_row);
  const KtTuning *t = self->preview_t;
  guint64 size;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL || pos >= self->page_sizes->len)
    return;
  size = g_array_index (self->page_sizes, guint64, pos);
  /* Also what a refusal puts back, notified late */
  if (size == preview_page_size (t))
    return;
  g_clear_pointer (&self->page_size_error, g_free);

  if (size != 0 && size != PAGE_SIZE_KEEP)
    {
      g_autofree char *label = format_page_size (size);
      g_autofree char *mem = format_page_size (t->memory_kib);   /* exact */

      /* Refused with the reason, as kvmtune-cli does */
      if (t->memory_kib % size != 0)
        self->page_size_error = g_strdup_printf (_("%s pages do not divide the VM’s memory (%s)"),
                                                 label, mem);
      else if (reserved_pages (get_host (self), size) == 0)
        self->page_size_error = g_strdup_printf (_("No %s pages are reserved on this host; "
                                                   "reserve some first (vm.nr_hugepages)"), label);
      if (self->page_size_error != NULL)
        {
          refresh (self);
          return;
        }
    }

  e = edits_copy (get_edits (self));
  if (size == PAGE_SIZE_KEEP)
    {
      /* The VM's own <hugepages/>: drop the edit */
      e->has_hugepages = FALSE;
      g_clear_pointer (&e->page_cells, kt_cpuset_free);
    }
  else
    {
      const KtCpuset *cells = t->has_hugepages && t->hugepages->len > 0
                              ? g_array_index (t->hugepages, KtHugepage, 0).nodeset : NULL;
      KtCpuset *keep = set_copy (cells);

      e->has_hugepages = TRUE;
      e->page_kib = size;
      g_clear_pointer (&e->page_cells, kt_cpuset_free);
      e->page_cells = size != 0 ? keep : NULL;
      if (size == 0)
        kt_cpuset_free (keep);
    }
  if (!commit_edits (self, e, &error))
    {
      self->page_size_error = g_strdup (error->message);
      refresh (self);
    }
}

static void
on_switch_toggled (KtTuningPanel *self,
                   GParamSpec    *pspec,
                   GtkSwitch     *sw)
{
  g_autoptr(GError) error = NULL;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL)
    return;
  g_clear_pointer (&self->switch_error, g_free);
  e = edits_copy (get_edits (self));
  if (sw == self->locked_switch)
    e->locked = gtk_switch_get_active (sw);
  else
    e->nosharepages = gtk_switch_get_active (sw);
  if (!commit_edits (self, e, &error))
    {
      self->switch_error = g_strdup (error->message);
      refresh (self);
    }
}

static void
on_hard_limit_clicked (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  KtEdits *e;

  if (self->vm == NULL || self->preview_t == NULL)
    return;
  e = edits_copy (get_edits (self));
  e->has_hard_limit = TRUE;
  e->hard_limit_kib = (gint64) (self->preview_t->memory_kib + GIB_KIB);
  if (!commit_edits (self, e, &error))
    show_message (self, error->message);
}

static void
on_cpu_mode_selected (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  guint pos = adw_combo_row_get_selected (self->cpu_mode_row);
  const KtTuning *t = self->preview_t;
  const char *mode;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL || pos >= self->cpu_modes->len)
    return;
  mode = g_ptr_array_index (self->cpu_modes, pos);
  if (g_strcmp0 (mode, t->cpu_mode) == 0)
    return;
  g_clear_pointer (&self->cpu_error, g_free);

  e = edits_copy (get_edits (self));
  g_clear_pointer (&e->cpu_mode, g_free);
  g_clear_pointer (&e->cpu_model, g_free);
  if (mode != NULL && g_str_equal (mode, "custom"))
    {
      const char *model = NULL;

      /* The model it had, else the host's closest usable one: host-model's
       * model (not the first listed, which is 486) */
      if (t->cpu_model != NULL)
        model = t->cpu_model;
      if (model == NULL)
        model = kt_cpu_models_suggest (self->cpu_models, self->cpu_host_model);
      if (model == NULL)
        {
          /* Nothing to offer: the model is typed in its own row */
          edits_free (e);
          self->updating = TRUE;
          gtk_widget_set_visible (GTK_WIDGET (self->cpu_model_text_row), TRUE);
          self->updating = FALSE;
          gtk_widget_grab_focus (GTK_WIDGET (self->cpu_model_field->entry));
          return;
        }
      e->cpu_mode = g_strdup (mode);
      e->cpu_model = g_strdup (model);
    }
  else if (mode != NULL)
    e->cpu_mode = g_strdup (mode);
  if (!commit_edits (self, e, &error))
    {
      self->cpu_error = g_strdup (error->message);
      refresh (self);
    }
}

static void
on_cpu_model_selected (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  guint pos = adw_combo_row_get_selected (self->cpu_model_row);
  CpuModel *m;
  KtEdits *e;

  if (self->updating || self->building || self->vm == NULL || pos >= self->cpu_models->len)
    return;
  m = g_ptr_array_index (self->cpu_models, pos);
  if (g_strcmp0 (m->name, self->preview_t->cpu_model) == 0)
    return;
  g_clear_pointer (&self->cpu_error, g_free);
  if (!m->usable)
    {
      /* Greyed out: refused, with what blocks it */
      self->cpu_error = m->blockers
        ? g_strdup_printf (_("%s cannot run on this host; it lacks: %s"), m->name, m->blockers)
        : g_strdup_printf (_("%s cannot run on this host (libvirt marks it unusable)"), m->name);
      refresh (self);
      return;
    }
  e = edits_copy (get_edits (self));
  g_free (e->cpu_mode);
  g_free (e->cpu_model);
  e->cpu_mode = g_strdup ("custom");
  e->cpu_model = g_strdup (m->name);
  if (!commit_edits (self, e, &error))
    {
      self->cpu_error = g_strdup (error->message);
      refresh (self);
    }
}

/* Applying --------------------------------------------------------------- */

typedef struct
{
  KtTuningPanel *panel;
  char          *name;
  KtApplyFlags   flags;
  gboolean       to_snapshot;
  KtVm          *base;           /* before */
  KtDomain      *live_target;
  KtDomain      *config_target;
  GArray        *pins;           /* Repin, for a reload */
} ApplyCtx;

typedef struct
{
  guint     vcpu;
  KtCpuset *set;
} Repin;

static void
repin_clear (gpointer data)
{
  kt_cpuset_free (((Repin *) data)->set);
}

static void
apply_ctx_free (gpointer data)
{
  ApplyCtx *ctx = data;

  g_clear_object (&ctx->panel);
  g_free (ctx->name);
  g_clear_object (&ctx->base);
  g_clear_object (&ctx->live_target);
  g_clear_object (&ctx->config_target);
  g_clear_pointer (&ctx->pins, g_array_unref);
  g_free (ctx);
}

static KtVm *
lookup_vm (KtTuningPanel *self,
           const char    *name)
{
  return self->plan != NULL ? kt_snapshot_lookup_vm (kt_plan_get_snapshot (self->plan), name)
                            : NULL;
}

/* @domain as if read from its own text: what it has becomes what it was
 * loaded with (kt_domain_get_original_xml ()), the base of the next apply */
static KtDomain *
settle (KtDomain *domain)
{
  g_autofree char *xml = NULL;
  KtDomain *settled;

  if (domain == NULL)
    return NULL;
  xml = kt_domain_to_xml (domain);
  settled = kt_domain_new_from_xml (xml, -1, NULL);
  return settled != NULL ? settled : g_object_ref (domain);
}

/* Puts the definitions libvirt has now in the snapshot's VM */
static void
take_reloaded (KtVm *vm,
               KtVm *reloaded)
{
  kt_vm_update_from (vm, reloaded);
}

static void
vm_replaced (KtTuningPanel *self,
             KtVm          *vm,
             gboolean       snapshot_edited)
{
  g_hash_table_remove (self->edits, kt_vm_get_name (vm));
  if (self->plan != NULL)
    kt_plan_forget_vm (self->plan, kt_vm_get_name (vm));
  g_clear_pointer (&self->shape, g_free);
  refresh (self);
  g_signal_emit (self, signals[VM_CHANGED], 0, vm, snapshot_edited);
}

static void undo_clicked (AdwToast *toast,
                          ApplyCtx *ctx);

static void
show_applied_toast (KtTuningPanel *self,
                    ApplyCtx      *ctx)
{
  g_autofree char *title = NULL;
  g_autofree char *escaped = g_markup_escape_text (ctx->name, -1);
  AdwToast *toast;
  ApplyCtx *undo = g_new0 (ApplyCtx, 1);

  /* Translators: %s is a VM name */
  title = g_strdup_printf (_("Applied to %s"), escaped);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Undo"));

  undo->panel = g_object_ref (self);
  undo->name = g_strdup (ctx->name);
  undo->flags = ctx->flags;
  undo->to_snapshot = ctx->to_snapshot;
  undo->base = g_object_ref (ctx->base);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_clicked), undo,
                         (GClosureNotify) (void (*) (void)) apply_ctx_free, 0);
  show_toast (self, toast);
}

static void
undo_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ApplyCtx *ctx = user_data;
  KtTuningPanel *self = ctx->panel;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtVm) reloaded = NULL;
  KtVm *vm;

  if (!kt_apply_run_finish (result, &reloaded, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot undo the changes to %s: %s"),
                                                  ctx->name, error->message);

      show_message (self, message);
      apply_ctx_free (ctx);
      return;
    }
  vm = lookup_vm (self, ctx->name);
  if (vm != NULL && reloaded != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Reverted %s"), ctx->name);

      take_reloaded (vm, reloaded);
      vm_replaced (self, vm, FALSE);
      show_message (self, message);
    }
  apply_ctx_free (ctx);
}

/* Toast "Undo": applies the definitions from before, the same way */
static void
undo_clicked (AdwToast *toast,
              ApplyCtx *ctx)
{
  KtTuningPanel *self = ctx->panel;
  KtVm *vm = lookup_vm (self, ctx->name);
  KtDomain *before_live = kt_vm_get_live (ctx->base);
  KtDomain *before_config = kt_vm_get_inactive (ctx->base);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtVm) now = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;
  ApplyCtx *run;

  if (vm == NULL)
    {
      show_message (self, _("The VM is gone: there is nothing to undo"));
      return;
    }
  live = before_live != NULL && (ctx->flags & KT_APPLY_LIVE) ? kt_domain_copy (before_live) : NULL;
  config = before_config != NULL && (ctx->flags & KT_APPLY_CONFIG)
           ? kt_domain_copy (before_config) : NULL;

  if (ctx->to_snapshot)
    {
      g_autofree char *message = g_strdup_printf (_("Reverted %s"), ctx->name);

      kt_vm_set_definitions (vm, live, config);
      vm_replaced (self, vm, TRUE);
      show_message (self, message);
      return;
    }

  if (self->connection == NULL)
    return;
  now = make_base (vm, &error);
  if (now != NULL)
    apply = kt_apply_new (now, live, config, ctx->flags, &error);
  if (apply == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot undo the changes to %s: %s"),
                                                  ctx->name, error->message);

      show_message (self, message);
      return;
    }
  run = g_new0 (ApplyCtx, 1);
  run->panel = g_object_ref (self);
  run->name = g_strdup (ctx->name);
  kt_apply_run_async (apply, self->connection, ctx->name, self->cancellable, undo_done, run);
}

static void
on_dialog_applied (KtApplyDialog *dialog,
                   ApplyCtx      *ctx)
{
  KtTuningPanel *self = ctx->panel;
  KtVm *vm = lookup_vm (self, ctx->name);
  KtVm *reloaded = kt_apply_dialog_get_reloaded (dialog);

  ctx->flags = kt_apply_dialog_get_flags (dialog);
  if (vm != NULL)
    {
      if (ctx->to_snapshot || reloaded == NULL)
        {
          g_autoptr(KtDomain) live = ctx->flags & KT_APPLY_LIVE ? settle (ctx->live_target) : NULL;
          g_autoptr(KtDomain) config = ctx->flags & KT_APPLY_CONFIG ? settle (ctx->config_target)
                                                                     : NULL;

          kt_vm_set_definitions (vm, live, config);
        }
      else
        take_reloaded (vm, reloaded);
      vm_replaced (self, vm, ctx->to_snapshot);
    }
  show_applied_toast (self, ctx);
}

static void
reload_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ApplyCtx *ctx = user_data;
  KtTuningPanel *self = ctx->panel;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtVm) reloaded = kt_reload_vm_finish (result, &error);
  g_autofree char *message = NULL;
  KtVm *vm = lookup_vm (self, ctx->name);

  if (error != NULL)
    message = g_strdup_printf (_("Cannot reload %s: %s"), ctx->name, error->message);
  else if (reloaded == NULL || vm == NULL)
    message = g_strdup_printf (_("%s no longer exists"), ctx->name);
  else
    {
      take_reloaded (vm, reloaded);
      if (self->plan != NULL)
        kt_plan_forget_vm (self->plan, ctx->name);
      /* The pins that were pending stay pending, on top of what is there now */
      for (guint i = 0; self->plan != NULL && i < ctx->pins->len; i++)
        {
          Repin *r = &g_array_index (ctx->pins, Repin, i);

          if (!kt_plan_pin (self->plan, vm, &r->vcpu, 1, r->set, NULL))
            g_debug ("vCPU %u of %s is not pinned again", r->vcpu, ctx->name);
        }
      g_clear_pointer (&self->shape, g_free);
      refresh (self);
      g_signal_emit (self, signals[VM_CHANGED], 0, vm, FALSE);
      message = g_strdup_printf (_("Reloaded %s; the pending changes are kept"), ctx->name);
    }
  show_message (self, message);
  apply_ctx_free (ctx);
}

static void
on_dialog_reload (KtApplyDialog *dialog,
                  ApplyCtx      *ctx)
{
  KtTuningPanel *self = ctx->panel;
  KtVm *vm = lookup_vm (self, ctx->name);
  ApplyCtx *run;

  if (self->connection == NULL || vm == NULL)
    return;
  run = g_new0 (ApplyCtx, 1);
  run->panel = g_object_ref (self);
  run->name = g_strdup (ctx->name);
  run->pins = g_array_new (FALSE, FALSE, sizeof (Repin));
  g_array_set_clear_func (run->pins, repin_clear);
  {
    g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));

    for (guint v = 0; v < t->vcpus; v++)
      if (kt_plan_is_pending (self->plan, vm, v) && kt_tuning_get_vcpupin (t, v) != NULL)
        {
          Repin r = { v, kt_cpuset_copy (kt_tuning_get_vcpupin (t, v)) };

          g_array_append_val (run->pins, r);
        }
  }
  kt_reload_vm_async (self->connection, ctx->name, self->cancellable, reload_done, run);
}

void
kt_tuning_panel_apply (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtVm) base = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;
  GtkWidget *dialog;
  GtkRoot *root;
  ApplyCtx *ctx;

  g_return_if_fail (KT_IS_TUNING_PANEL (self));

  if (self->vm == NULL || self->plan == NULL)
    {
      show_message (self, _("Select a VM to apply its changes"));
      return;
    }
  if (!has_changes (self, self->vm))
    {
      g_autofree char *message = g_strdup_printf (_("Nothing to apply to %s"),
                                                  kt_vm_get_name (self->vm));

      show_message (self, message);
      return;
    }
  if (self->connection != NULL && kt_connection_is_read_only (self->connection))
    {
      show_message (self, _("The connection is read-only: connect again without “Read-Only” "
                            "to apply"));
      return;
    }
  base = make_base (self->vm, &error);
  if (base == NULL || !make_targets (self->vm, get_edits (self), &live, &config, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot apply to %s: %s"),
                                                  kt_vm_get_name (self->vm), error->message);

      show_message (self, message);
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = kt_apply_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                self->connection, base, live, config);
  ctx = g_new0 (ApplyCtx, 1);
  ctx->panel = g_object_ref (self);
  ctx->name = g_strdup (kt_vm_get_name (self->vm));
  ctx->to_snapshot = self->connection == NULL;
  ctx->base = g_object_ref (base);
  ctx->live_target = live ? g_object_ref (live) : NULL;
  ctx->config_target = config ? g_object_ref (config) : NULL;
  g_signal_connect_data (dialog, "applied", G_CALLBACK (on_dialog_applied), ctx,
                         (GClosureNotify) (void (*) (void)) apply_ctx_free, 0);
  g_signal_connect (dialog, "reload-requested", G_CALLBACK (on_dialog_reload), ctx);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  kt_tuning_panel_apply (KT_TUNING_PANEL (widget));
}

static void
discard_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  KtTuningPanel *self = KT_TUNING_PANEL (widget);

  if (self->vm == NULL)
    return;
  g_hash_table_remove (self->edits, kt_vm_get_name (self->vm));
  clear_errors (self);
  refresh (self);
}

/* GObject ---------------------------------------------------------------- */

static void
on_plan_changed (KtTuningPanel *self)
{
  refresh (self);
}

static void
kt_tuning_panel_dispose (GObject *object)
{
  KtTuningPanel *self = KT_TUNING_PANEL (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  if (self->plan != NULL)
    g_signal_handlers_disconnect_by_data (self->plan, self);
  self->building = TRUE;
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_TUNING_PANEL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->fixed_fields, g_ptr_array_unref);
  self->cpu_model_field = NULL;
  g_clear_pointer (&self->built_rows, g_ptr_array_unref);
  g_clear_object (&self->plan);
  g_clear_object (&self->connection);
  g_clear_object (&self->vm);
  g_clear_object (&self->preview);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->preview_t, kt_tuning_unref);
  g_clear_pointer (&self->base_t, kt_tuning_unref);
  g_clear_pointer (&self->edits, g_hash_table_unref);

  G_OBJECT_CLASS (kt_tuning_panel_parent_class)->dispose (object);
}

static void
kt_tuning_panel_finalize (GObject *object)
{
  KtTuningPanel *self = KT_TUNING_PANEL (object);

  g_clear_pointer (&self->preview_error, g_free);
  g_clear_pointer (&self->shape, g_free);
  g_clear_pointer (&self->numa_modes, g_ptr_array_unref);
  g_clear_pointer (&self->cpu_modes, g_ptr_array_unref);
  g_clear_pointer (&self->cpu_models, g_ptr_array_unref);
  g_clear_pointer (&self->cpu_host_model, g_free);
  g_clear_pointer (&self->page_sizes, g_array_unref);
  g_clear_pointer (&self->numa_mode_error, g_free);
  g_clear_pointer (&self->page_size_error, g_free);
  g_clear_pointer (&self->cpu_error, g_free);
  g_clear_pointer (&self->switch_error, g_free);

  G_OBJECT_CLASS (kt_tuning_panel_parent_class)->finalize (object);
}

static void
kt_tuning_panel_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KtTuningPanel *self = KT_TUNING_PANEL (object);

  switch (prop_id)
    {
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_VM:
      g_value_set_object (value, self->vm);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_tuning_panel_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  KtTuningPanel *self = KT_TUNING_PANEL (object);

  switch (prop_id)
    {
    case PROP_VM:
      kt_tuning_panel_set_vm (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_tuning_panel_class_init (KtTuningPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_tuning_panel_dispose;
  object_class->finalize = kt_tuning_panel_finalize;
  object_class->get_property = kt_tuning_panel_get_property;
  object_class->set_property = kt_tuning_panel_set_property;

  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL, KT_TYPE_PLAN,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, KT_TYPE_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VM] =
    g_param_spec_object ("vm", NULL, NULL, KT_TYPE_VM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KtTuningPanel::vm-changed:
   * @vm: the VM
   * @snapshot_edited: the new definitions were written into the snapshot
   *
   * The VM's definitions were replaced: applied, undone or reloaded.
   */
  signals[VM_CHANGED] = g_signal_new ("vm-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 2, KT_TYPE_VM,
                                      G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/example/KvmTune/ui/kt-tuning-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, title_label);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, detail_label);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, apply_button);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, discard_button);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, scroller);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, pinning_group);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, numa_mode_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, numa_nodeset_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, memory_warning_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cells_group);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, page_size_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, page_cells_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, page_free_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, page_warning_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, nosharepages_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, nosharepages_switch);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, locked_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, locked_switch);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, hard_limit_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, hard_limit_fix_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cpu_mode_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cpu_model_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cpu_model_text_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cpu_warning_row);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, topology_group);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, sockets_spin);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, dies_spin);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, cores_spin);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, threads_spin);
  gtk_widget_class_bind_template_child (widget_class, KtTuningPanel, topology_check_row);
  gtk_widget_class_bind_template_callback (widget_class, on_numa_mode_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_page_size_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_switch_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_hard_limit_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cpu_mode_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_cpu_model_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_topology_changed);

  gtk_widget_class_install_action (widget_class, "panel.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "panel.discard", NULL, discard_action);

  gtk_widget_class_set_css_name (widget_class, "kttuningpanel");
}

static void
kt_tuning_panel_init (KtTuningPanel *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->edits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) edits_free);
  self->cancellable = g_cancellable_new ();
  self->fields = g_ptr_array_new_with_free_func (field_free);
  self->fixed_fields = g_ptr_array_new_with_free_func (field_free);
  self->built_rows = g_ptr_array_new ();
  self->numa_modes = g_ptr_array_new_with_free_func (g_free);
  self->cpu_modes = g_ptr_array_new_with_free_func (g_free);
  self->cpu_models = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpu_model_free);
  self->page_sizes = g_array_new (FALSE, FALSE, sizeof (guint64));

  g_ptr_array_add (self->fixed_fields,
                   field_new (self, self->numa_nodeset_row, FIELD_NODESET, 0, _("none")));
  g_ptr_array_add (self->fixed_fields,
                   field_new (self, self->page_cells_row, FIELD_PAGE_CELLS, 0, _("all")));
  self->cpu_model_field = field_new (self, self->cpu_model_text_row, FIELD_CPU_MODEL, 0, NULL);
  g_ptr_array_add (self->fixed_fields, self->cpu_model_field);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_model_item), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_model_item), self);
  adw_combo_row_set_factory (self->cpu_model_row, factory);
  g_object_unref (factory);

  {
    /* Subtitles carry host and libvirt text ("<topology>"): no markup */
    gpointer rows[] = {
      self->numa_mode_row, self->numa_nodeset_row, self->memory_warning_row,
      self->page_size_row, self->page_cells_row, self->page_free_row, self->page_warning_row,
      self->nosharepages_row, self->locked_row, self->hard_limit_row, self->cpu_mode_row,
      self->cpu_model_row, self->cpu_model_text_row, self->cpu_warning_row,
      self->topology_check_row,
    };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (rows[i]), FALSE);
  }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.apply", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.discard", FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/* Public ----------------------------------------------------------------- */

GtkWidget *
kt_tuning_panel_new (void)
{
  return g_object_new (KT_TYPE_TUNING_PANEL, NULL);
}

void
kt_tuning_panel_set_source (KtTuningPanel *self,
                            KtPlan        *plan,
                            KtConnection  *connection)
{
  g_return_if_fail (KT_IS_TUNING_PANEL (self));
  g_return_if_fail (plan == NULL || KT_IS_PLAN (plan));
  g_return_if_fail (connection == NULL || KT_IS_CONNECTION (connection));

  if (self->plan != NULL)
    g_signal_handlers_disconnect_by_data (self->plan, self);
  g_set_object (&self->plan, plan);
  g_set_object (&self->connection, connection);
  if (plan != NULL)
    g_signal_connect_object (plan, "changed", G_CALLBACK (on_plan_changed), self,
                             G_CONNECT_SWAPPED);
  g_hash_table_remove_all (self->edits);
  g_clear_object (&self->vm);
  g_clear_pointer (&self->shape, g_free);
  refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAN]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VM]);
}

KtPlan *
kt_tuning_panel_get_plan (KtTuningPanel *self)
{
  g_return_val_if_fail (KT_IS_TUNING_PANEL (self), NULL);
  return self->plan;
}

KtConnection *
kt_tuning_panel_get_connection (KtTuningPanel *self)
{
  g_return_val_if_fail (KT_IS_TUNING_PANEL (self), NULL);
  return self->connection;
}

void
kt_tuning_panel_set_vm (KtTuningPanel *self,
                        KtVm          *vm)
{
  g_return_if_fail (KT_IS_TUNING_PANEL (self));
  g_return_if_fail (vm == NULL || KT_IS_VM (vm));

  if (self->vm == vm)
    return;
  g_set_object (&self->vm, vm);
  g_clear_pointer (&self->shape, g_free);
  refresh (self);
  /* Another VM starts at the top */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VM]);
}

KtVm *
kt_tuning_panel_get_vm (KtTuningPanel *self)
{
  g_return_val_if_fail (KT_IS_TUNING_PANEL (self), NULL);
  return self->vm;
}

/**
 * kt_tuning_panel_set_connection:
 *
 * The same source through a new connection (a reconnection): the pending
 * edits stay.
 */
void
kt_tuning_panel_set_connection (KtTuningPanel *self,
                                KtConnection  *connection)
{
  g_return_if_fail (KT_IS_TUNING_PANEL (self));
  g_return_if_fail (connection == NULL || KT_IS_CONNECTION (connection));

  if (g_set_object (&self->connection, connection))
    {
      refresh (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
    }
}

/**
 * kt_tuning_panel_refresh:
 *
 * Shows the VM again after its definitions were replaced elsewhere (by
 * live updates from the connection).
 */
void
kt_tuning_panel_refresh (KtTuningPanel *self)
{
  g_return_if_fail (KT_IS_TUNING_PANEL (self));

  /* A VM that went away is not shown */
  if (self->vm != NULL && self->plan != NULL
      && kt_snapshot_lookup_vm (kt_plan_get_snapshot (self->plan),
                                kt_vm_get_name (self->vm)) != self->vm)
    g_clear_object (&self->vm);
  refresh (self);
}

gboolean
kt_tuning_panel_has_changes (KtTuningPanel *self,
                             KtVm          *vm)
{
  g_return_val_if_fail (KT_IS_TUNING_PANEL (self), FALSE);
  return has_changes (self, vm);
}
