#include "data/clocale.h"

#include "core/error.h"

int rec_c_locale_enter(rec_c_locale *l)
{
    l->c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (l->c == (locale_t)0)
        return rec_error_nomem();
    l->prev = uselocale(l->c);
    return REC_OK;
}

void rec_c_locale_leave(rec_c_locale *l)
{
    uselocale(l->prev);
    freelocale(l->c);
}
