/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The operations of the Python peers as C functions, for callgrind: each
 * op_NAME calls the Python function it is given (through ctypes, when a
 * peer runs with `--ops-library PATH`), so that
 * `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=op_NAME`
 * counts a Python operation as it counts the op_NAME functions of the C
 * peers (raw-gda.c, libgorm-c.c). Each is out of line and calls its
 * callback as no tail call, so that it stays on the stack while the
 * operation runs. Python calls them through workload_run_op(): callgrind
 * does not see libffi's call as the entry of a function, only a call
 * made by C code.
 */

#include <string.h>

typedef void (*WorkloadOpFunc) (void);

#define WORKLOAD_OP(name) \
  __attribute__ ((noinline, visibility ("default"))) void \
  op_##name (WorkloadOpFunc function); \
  void \
  op_##name (WorkloadOpFunc function) \
  { \
    function (); \
    __asm__ volatile ("" ::: "memory"); \
  }

WORKLOAD_OP (insert)
WORKLOAD_OP (fetch_all)
WORKLOAD_OP (fetch_related)
WORKLOAD_OP (filter)
WORKLOAD_OP (get_by_pk)
WORKLOAD_OP (count)
WORKLOAD_OP (count_related)
WORKLOAD_OP (aggregate)
WORKLOAD_OP (update)
WORKLOAD_OP (delete_bulk)
WORKLOAD_OP (delete_each)
WORKLOAD_OP (bulk_create)

typedef struct
{
  const char *name;
  void      (*op) (WorkloadOpFunc function);
} WorkloadOp;

static const WorkloadOp ops[] = {
  { "insert", op_insert },
  { "fetch_all", op_fetch_all },
  { "fetch_related", op_fetch_related },
  { "filter", op_filter },
  { "get_by_pk", op_get_by_pk },
  { "count", op_count },
  { "count_related", op_count_related },
  { "aggregate", op_aggregate },
  { "update", op_update },
  { "delete_bulk", op_delete_bulk },
  { "delete_each", op_delete_each },
  { "bulk_create", op_bulk_create },
};

/* Runs @function through op_@name; returns 0, or -1 (without calling it)
 * for an unknown @name. */
__attribute__ ((visibility ("default"))) int
workload_run_op (const char     *name,
                 WorkloadOpFunc  function);

int
workload_run_op (const char     *name,
                 WorkloadOpFunc  function)
{
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (ops[i].name, name) == 0)
      {
        ops[i].op (function);
        return 0;
      }
  return -1;
}
