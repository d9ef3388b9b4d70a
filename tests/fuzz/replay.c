/* Replays fuzz inputs without libFuzzer: runs LLVMFuzzerTestOneInput once
 * on every regular file named on the command line or found (one level
 * deep) in a directory named there, so the seed corpora and past findings
 * run in the ordinary test suite under any compiler. */
#include "fuzz_common.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

static size_t n_run;

static void run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        exit(1);
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            uint8_t *grown = realloc(buf, cap);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    if (!buf || ferror(fp)) {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(1);
    }
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    n_run++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            run_file(argv[i]);
            continue;
        }
        struct dirent **names;
        int n = scandir(argv[i], &names, NULL, NULL);
        if (n < 0) {
            perror(argv[i]);
            return 1;
        }
        qsort(names, (size_t)n, sizeof *names, by_name);
        for (int j = 0; j < n; j++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[j]->d_name);
            if (names[j]->d_name[0] != '.' && stat(path, &st) == 0 &&
                S_ISREG(st.st_mode))
                run_file(path);
            free(names[j]);
        }
        free(names);
    }
    printf("replayed %zu inputs\n", n_run);
    return n_run > 0 ? 0 : 1;
}
