#include "core/c_locale.h"

#include <pthread.h>

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t rec_c_locale(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale;
}

void rec_locale_enter(rec_locale_scope *s)
{
    locale_t c = rec_c_locale();
    s->prev = c ? uselocale(c) : (locale_t)0;
}

void rec_locale_leave(rec_locale_scope *s)
{
    if (s->prev)
        uselocale(s->prev);
}
