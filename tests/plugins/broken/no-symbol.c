/* no-symbol.c: a module without the descriptor function
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <gmodule.h>

G_MODULE_EXPORT int something_else (void);

int
something_else (void)
{
  return 42;
}
