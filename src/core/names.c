/* Catalogue name matching (see names_internal.h). */
#include <ctype.h>

#include "core/names_internal.h"

bool dl4c_name_equal(const char *a, const char *b)
{
    for (;;) {
        while (*a == '_')
            a++;
        while (*b == '_')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++;
        b++;
    }
}
