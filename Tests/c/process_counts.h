/* process_counts.h — this process's live threads and open descriptors (Linux /proc), for the
 * tests and the soak that check the library gives back what it took. Include after <dirent.h>. */
#ifndef PMINGEST_TESTS_PROCESS_COUNTS_H
#define PMINGEST_TESTS_PROCESS_COUNTS_H

/* Entries of a /proc directory, "." and ".." excluded; -1 when it cannot be read. */
static inline int proc_entry_count(const char *path) {
    DIR *dir = opendir(path);
    struct dirent *entry;
    int n = 0;
    if (dir == NULL) return -1;
    while ((entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.') n++;
    closedir(dir);
    return n;
}

static inline int thread_count(void) { return proc_entry_count("/proc/self/task"); }
static inline int fd_count(void) { return proc_entry_count("/proc/self/fd"); }

#endif
