/* Numbers in librec's text (data files, hyperparameter values, settings in
 * model files) always use '.' as the decimal point, whatever locale the host
 * program chose with setlocale(). Parsing goes through strtod_l with the "C"
 * locale; formatting runs inside a scope that switches the calling thread
 * (only) to it. */
#ifndef REC_CORE_C_LOCALE_H
#define REC_CORE_C_LOCALE_H

#include <locale.h>

/* The "C" locale object, created once per process and never modified;
 * (locale_t)0 if it could not be created (then the thread's locale is used). */
locale_t rec_c_locale(void);

typedef struct rec_locale_scope {
    locale_t prev;
} rec_locale_scope;

/* Switches the calling thread to the "C" locale until rec_locale_leave. */
void rec_locale_enter(rec_locale_scope *s);
void rec_locale_leave(rec_locale_scope *s);

#endif
