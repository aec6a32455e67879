/* kt-pin-index.c: a domain's <vcpupin> elements by vCPU
 *
 * KtDomain keeps one so that pinning thousands of vCPUs (libvirt allows
 * 4,096 and more) is linear: finding a vCPU's <vcpupin> and where a new
 * one goes takes no walk over the others.  The index only follows the
 * document: KtDomain tells it of every <vcpupin> it adds and of every
 * element it is about to remove.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-pin-index.h"
#include "kt-xml.h"

struct _KtPinIndex
{
  GPtrArray *pins;       /* xmlNode * by vCPU, NULL when not pinned */
  xmlNode   *last;       /* the last <vcpupin> in document order */
  int        max;        /* highest vCPU with a <vcpupin>, -1 */
};

static gboolean
is_vcpupin (xmlNode *node)
{
  return node != NULL && node->type == XML_ELEMENT_NODE && node->ns == NULL
         && g_str_equal ((const char *) node->name, "vcpupin");
}

/* As KtTuning reads it (blanks around allowed) */
static gboolean
pin_vcpu (xmlNode *pin,
          guint64 *vcpu)
{
  return kt_xml_prop_bounded (pin, "vcpu", G_MAXUINT, vcpu, NULL);
}

/**
 * kt_pin_index_new:
 * @cputune: (nullable): the domain's <cputune>
 * @n_vcpus: its vCPU count
 *
 * Returns: (transfer full) (nullable): the index, or %NULL when a
 * <vcpupin> is one it cannot stand for (a vCPU the domain lacks, a number
 * that does not read, a second one for a vCPU): then search the document
 */
KtPinIndex *
kt_pin_index_new (xmlNode *cputune,
                  guint    n_vcpus)
{
  g_autoptr(KtPinIndex) self = g_new0 (KtPinIndex, 1);

  self->pins = g_ptr_array_new ();
  g_ptr_array_set_size (self->pins, n_vcpus);
  self->max = -1;
  for (xmlNode *c = cputune ? cputune->children : NULL; c; c = c->next)
    {
      guint64 v;

      if (!is_vcpupin (c))
        continue;
      if (!pin_vcpu (c, &v) || v >= n_vcpus || self->pins->pdata[v] != NULL)
        return NULL;
      self->pins->pdata[v] = c;
      self->last = c;
      self->max = MAX (self->max, (int) v);
    }
  return g_steal_pointer (&self);
}

void
kt_pin_index_free (KtPinIndex *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->pins);
  g_free (self);
}

/* Returns: (transfer none) (nullable): the <vcpupin> of @vcpu */
xmlNode *
kt_pin_index_lookup (KtPinIndex *self,
                     guint       vcpu)
{
  g_return_val_if_fail (self != NULL, NULL);
  return vcpu < self->pins->len ? self->pins->pdata[vcpu] : NULL;
}

/**
 * kt_pin_index_insertion_point:
 * @before: (out): where a new <vcpupin> for @vcpu goes: in front of the
 *   next higher one, else in front of what follows the last one (%NULL:
 *   at the end)
 *
 * Returns: %FALSE when there is no <vcpupin> at all (then it goes where
 * libvirt writes them)
 */
gboolean
kt_pin_index_insertion_point (KtPinIndex  *self,
                              guint        vcpu,
                              xmlNode    **before)
{
  g_return_val_if_fail (self != NULL, FALSE);

  *before = NULL;
  if ((int) vcpu < self->max)
    for (guint v = vcpu + 1; v <= (guint) self->max; v++)
      if (self->pins->pdata[v] != NULL)
        {
          *before = self->pins->pdata[v];
          return TRUE;
        }
  if (self->last == NULL)
    return FALSE;
  for (xmlNode *n = self->last->next; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE)
      {
        *before = n;
        break;
      }
  return TRUE;
}

/* @pin was just put in the document */
void
kt_pin_index_add (KtPinIndex *self,
                  guint       vcpu,
                  xmlNode    *pin)
{
  xmlNode *n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (vcpu < self->pins->len);

  self->pins->pdata[vcpu] = pin;
  self->max = MAX (self->max, (int) vcpu);
  /* The last one unless another <vcpupin> follows it */
  for (n = pin->next; n != NULL && !is_vcpupin (n); n = n->next)
    ;
  if (n == NULL)
    self->last = pin;
}

/**
 * kt_pin_index_forget:
 * @node: an element about to be removed from the document
 *
 * Returns: %FALSE when the index no longer stands for the document (its
 * <cputune> goes): free it, and build a new one when needed
 */
gboolean
kt_pin_index_forget (KtPinIndex *self,
                     xmlNode    *node)
{
  guint64 v;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!is_vcpupin (node))
    {
      for (xmlNode *n = self->last; n; n = n->parent)
        if (n == node)
          return FALSE;
      return TRUE;
    }
  if (!pin_vcpu (node, &v) || v >= self->pins->len || self->pins->pdata[v] != node)
    return TRUE;
  self->pins->pdata[v] = NULL;
  if (node == self->last)
    {
      xmlNode *prev = node->prev;

      while (prev != NULL && !is_vcpupin (prev))
        prev = prev->prev;
      self->last = prev;
    }
  while (self->max >= 0 && self->pins->pdata[self->max] == NULL)
    self->max--;
  return TRUE;
}
