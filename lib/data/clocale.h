/* Numbers in data files always use '.' as the decimal point, whatever
 * locale the host program set with setlocale(): loaders and writers switch
 * the calling thread (only) to the "C" locale while they run. */
#ifndef REC_DATA_CLOCALE_H
#define REC_DATA_CLOCALE_H

#include <locale.h>

typedef struct rec_c_locale {
    locale_t c;
    locale_t prev;
} rec_c_locale;

/* REC_OK, or REC_ENOMEM (message set) if the locale object cannot be made. */
int rec_c_locale_enter(rec_c_locale *l);
/* Restores the thread's previous locale. */
void rec_c_locale_leave(rec_c_locale *l);

#endif
