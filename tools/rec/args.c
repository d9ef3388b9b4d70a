#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void die_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rec %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see 'rec %s --help')\n", command);
    va_end(ap);
    exit(EXIT_USAGE);
}

void die_rec(int rc, const char *what)
{
    const char *detail = rec_last_error();
    fprintf(stderr, "rec: %s: %s\n", what, *detail ? detail : rec_strerror(rc));
    exit(EXIT_RUNTIME);
}

void die_errno(const char *what, const char *path)
{
    fprintf(stderr, "rec: %s: %s: %s\n", what, path, strerror(errno));
    exit(EXIT_RUNTIME);
}

void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rec: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int args_init(args *a, const char *command, int argc, char **argv)
{
    a->argc = argc;
    a->argv = argv;
    a->command = command;
    a->used = calloc((size_t)argc + 1, 1);
    if (!a->used) {
        fprintf(stderr, "rec: out of memory\n");
        exit(EXIT_RUNTIME);
    }
    return 0;
}

void args_free(args *a)
{
    free(a->used);
}

/* If argv[i] is --name or --name=value, returns 1 and sets *inline_value
 * to the text after '=' (or NULL). */
static int matches(const char *arg, const char *name, const char **inline_value)
{
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    size_t n = strlen(name);
    if (strncmp(arg + 2, name, n) != 0)
        return 0;
    if (arg[2 + n] == '\0') {
        *inline_value = NULL;
        return 1;
    }
    if (arg[2 + n] == '=') {
        *inline_value = arg + 3 + n;
        return 1;
    }
    return 0;
}

size_t args_values(args *a, const char *name, const char **out, size_t max)
{
    size_t n = 0;
    for (int i = 1; i < a->argc; i++) {
        const char *v;
        if (a->used[i] || !matches(a->argv[i], name, &v))
            continue;
        a->used[i] = 1;
        if (!v) {
            if (i + 1 >= a->argc)
                die_usage(a->command, "--%s needs a value", name);
            v = a->argv[++i];
            a->used[i] = 1;
        }
        if (n < max)
            out[n] = v;
        n++;
    }
    if (n > max)
        die_usage(a->command, "--%s is given more than %zu times", name, max);
    return n;
}

const char *args_value(args *a, const char *name)
{
    const char *v[64];
    size_t n = args_values(a, name, v, 64);
    return n ? v[n - 1] : NULL;
}

int args_flag(args *a, const char *name)
{
    int found = 0;
    for (int i = 1; i < a->argc; i++) {
        const char *v;
        if (!a->used[i] && matches(a->argv[i], name, &v)) {
            if (v)
                die_usage(a->command, "--%s takes no value", name);
            a->used[i] = 1;
            found = 1;
        }
    }
    return found;
}

const char *args_positional(args *a)
{
    for (int i = 1; i < a->argc; i++) {
        if (a->used[i])
            continue;
        if (a->argv[i][0] == '-' && a->argv[i][1] != '\0')
            continue;
        a->used[i] = 1;
        return a->argv[i];
    }
    return NULL;
}

int args_next_pair(args *a, const char **name, const char **value)
{
    for (int i = 1; i < a->argc; i++) {
        if (a->used[i])
            continue;
        const char *arg = a->argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            die_usage(a->command, "unexpected argument '%s'", arg);
        a->used[i] = 1;
        static char buf[128];
        const char *eq = strchr(arg, '=');
        if (eq) {
            size_t n = (size_t)(eq - arg - 2);
            if (n >= sizeof buf)
                die_usage(a->command, "option name too long: '%s'", arg);
            memcpy(buf, arg + 2, n);
            buf[n] = '\0';
            *name = buf;
            *value = eq + 1;
        } else {
            if (i + 1 >= a->argc || a->used[i + 1])
                die_usage(a->command, "%s needs a value", arg);
            *name = arg + 2;
            *value = a->argv[++i];
            a->used[i] = 1;
        }
        return 1;
    }
    return 0;
}

void args_finish(args *a)
{
    for (int i = 1; i < a->argc; i++)
        if (!a->used[i])
            die_usage(a->command, "unknown or misplaced argument '%s'", a->argv[i]);
}

long long parse_int_option(const char *command, const char *name, const char *text,
                           long long min, long long max)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno || v < min || v > max)
        die_usage(command, "--%s must be an integer in [%lld, %lld]; got '%s'", name, min,
                  max, text);
    return v;
}

double parse_double_option(const char *command, const char *name, const char *text)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno || !isfinite(v))
        die_usage(command, "--%s must be a finite number; got '%s'", name, text);
    return v;
}

int progress_enabled(void)
{
    return isatty(fileno(stderr));
}
