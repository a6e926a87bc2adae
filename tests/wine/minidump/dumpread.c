/* Maps each dump named on the command line and lists its streams through
 * MiniDumpReadDumpStream of whichever dbghelp.dll it loads: "STREAM <file>
 * <type> <size>" for every type from 0 to 24 and the user stream 0x10000,
 * and the user stream's text. */
#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        HANDLE file = CreateFileA(argv[i], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
        HANDLE mapping = file == INVALID_HANDLE_VALUE ? NULL
                         : CreateFileMappingA(file, NULL, PAGE_READONLY, 0, 0, NULL);
        void *base = mapping ? MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0) : NULL;
        if (!base) {
            printf("CANNOT-MAP %s\n", argv[i]);
            continue;
        }
        for (ULONG type = 0; type <= 0x10000; type = type == 24 ? 0x10000 : type + 1) {
            MINIDUMP_DIRECTORY *dir = NULL;
            void *stream = NULL;
            ULONG size = 0;
            if (MiniDumpReadDumpStream(base, type, &dir, &stream, &size)) {
                printf("STREAM %s %lu %lu\n", argv[i], type, size);
                if (type == 0x10000)
                    printf("USER %s %.*s\n", argv[i], (int)size, (const char *)stream);
            }
        }
        UnmapViewOfFile(base);
        CloseHandle(mapping);
        CloseHandle(file);
    }
    return 0;
}
