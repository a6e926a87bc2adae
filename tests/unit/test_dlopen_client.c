/*
 * A native Linux client as a user would write one: it loads libdbghelp.so
 * with dlopen, uses only the public header's types, and walks a synthetic
 * x64 stack (image bytes and stack in its own buffers, served through its
 * own callbacks) frame by frame, checking every register.
 */
#include "x64_model.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef BOOL (*stackwalk64_fn)(DWORD, HANDLE, HANDLE, LPSTACKFRAME64, PVOID,
                               PREAD_PROCESS_MEMORY_ROUTINE64, PFUNCTION_TABLE_ACCESS_ROUTINE64,
                               PGET_MODULE_BASE_ROUTINE64, PTRANSLATE_ADDRESS_ROUTINE64);

int main(int argc, char **argv)
{
    struct fake_target t;
    struct x64_function f[3];
    static struct x64_chain chain;
    const struct x64_spec callee = {
        .prolog = {{OP_PUSH, RBP, 0}, {OP_PUSH, R12, 0}, {OP_ALLOC, 0, 0x40},
                   {OP_SETFP, RBP, 0x20}, {OP_SAVEXMM, 6, 0x00}},
        .prolog_count = 5,
        .calls = 1,
    };
    const struct x64_spec caller = {
        .prolog = {{OP_PUSH, RBX, 0}, {OP_PUSH, RSI, 0}, {OP_ALLOC, 0, 0x28}},
        .prolog_count = 3,
        .calls = 1,
    };
    STACKFRAME64 frame;
    CONTEXT context;
    stackwalk64_fn walk;
    unsigned n = 0, wrong = 0;
    void *library;

    if (argc != 2) {
        fprintf(stderr, "usage: %s path/to/libdbghelp.so\n", argv[0]);
        return 2;
    }
    library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    walk = (stackwalk64_fn)(uintptr_t)dlsym(library, "StackWalk64");
    if (!walk) {
        fprintf(stderr, "no StackWalk64 in %s\n", argv[1]);
        return 1;
    }

    ft_init(&t);
    ft_map_image(&t, 0x7FF600000000ull, 0x10000);
    ft_map(&t, 0x00000050000F0000ull, 0x10000);
    x64_emit(&t, &f[0], &caller, 0x1000, 0x8000);
    x64_emit(&t, &f[1], &callee, 0x1100, 0x8040);
    memset(&chain, 0, sizeof(chain));
    chain.depth = 6;
    for (unsigned i = 0; i < chain.depth; i++)
        chain.functions[i] = &f[i % 2 == 0 ? 1 : 0];
    chain.position = 6; /* inside the callee's prolog */
    x64_chain_build(&t, &chain, 0x0000005000100000ull);

    x64_state_to_context(&chain.expected[0], &context);
    memset(&frame, 0, sizeof(frame));
    frame.AddrPC.Offset = context.Rip;
    frame.AddrStack.Offset = context.Rsp;
    frame.AddrFrame.Offset = context.Rbp;
    frame.AddrPC.Mode = frame.AddrStack.Mode = frame.AddrFrame.Mode = AddrModeFlat;
    while (walk(IMAGE_FILE_MACHINE_AMD64, &t, NULL, &frame, &context, ft_read_memory,
                ft_function_table, ft_module_base, NULL)) {
        char why[200];
        bool ok = n < chain.depth &&
                  x64_nonvolatile_equal(&chain.expected[n], &context, why, sizeof(why));
        printf("frame %u: pc %#llx sp %#llx return %#llx %s\n", n,
               (unsigned long long)frame.AddrPC.Offset,
               (unsigned long long)frame.AddrStack.Offset,
               (unsigned long long)frame.AddrReturn.Offset, ok ? "ok" : "WRONG");
        if (!ok) {
            if (n < chain.depth)
                printf("  %s\n", why);
            wrong++;
        }
        n++;
    }
    printf("%u frames, %u wrong, %llu read callbacks\n", n, wrong,
           (unsigned long long)t.callbacks);
    ft_free(&t);
    dlclose(library);
    return wrong == 0 && n == chain.depth ? 0 : 1;
}
