/*
 * SymGetModuleBase and SymGetModuleInfo(W): the 32-bit forms of the 64-bit
 * functions, for callers built against the old API (a 64-bit Windows header
 * renames the names).
 */
#include "session.h"
#include "text.h"

#undef SymGetModuleBase

DW_EXPORT DWORD IMAGEAPI SymGetModuleBase(HANDLE hProcess, DWORD dwAddr)
{
    DWORD64 base = SymGetModuleBase64(hProcess, dwAddr);

    /* a module above 4 GiB has no 32-bit base */
    if (base > 0xFFFFFFFFu) {
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
        return 0;
    }
    return (DWORD)base;
}

/* SymGetModuleInfo(W): the 32-bit IMAGEHLP_MODULE(W) of DbgHelp's first
 * API, the prefix of the 64-bit structure up to LoadedImageName with a
 * 32-bit base. Laid out here because a 64-bit Windows header renames the
 * types to their 64-bit forms. */
#undef SymGetModuleInfo
#undef SymGetModuleInfoW

struct module_info32 {
    DWORD SizeOfStruct;
    DWORD BaseOfImage;
    DWORD ImageSize;
    DWORD TimeDateStamp;
    DWORD CheckSum;
    DWORD NumSyms;
    SYM_TYPE SymType;
    CHAR ModuleName[32];
    CHAR ImageName[256];
    CHAR LoadedImageName[256];
};

struct module_info32_wide {
    DWORD SizeOfStruct;
    DWORD BaseOfImage;
    DWORD ImageSize;
    DWORD TimeDateStamp;
    DWORD CheckSum;
    DWORD NumSyms;
    SYM_TYPE SymType;
    WCHAR ModuleName[32];
    WCHAR ImageName[256];
    WCHAR LoadedImageName[256];
};

/* A 32-bit Windows header declares the functions with its own types. */
#if defined(_WIN32) && !defined(_WIN64)
typedef PIMAGEHLP_MODULE module_info32_arg;
typedef PIMAGEHLP_MODULEW module_info32_wide_arg;
#else
typedef PVOID module_info32_arg;
typedef PVOID module_info32_wide_arg;
#endif

/* The 64-bit answer, refused for a module a 32-bit base cannot describe. */
static bool info64(HANDLE process, DWORD address, IMAGEHLP_MODULE64 *info)
{
    memset(info, 0, sizeof(*info));
    info->SizeOfStruct = sizeof(*info);
    if (!SymGetModuleInfo64(process, address, info))
        return false;
    if (info->BaseOfImage > 0xFFFFFFFFu) {
        dw_set_last_error(ERROR_MOD_NOT_FOUND);
        return false;
    }
    return true;
}

DW_EXPORT BOOL IMAGEAPI SymGetModuleInfo(HANDLE hProcess, DWORD dwAddr,
                                         module_info32_arg ModuleInfo)
{
    struct module_info32 *out = (struct module_info32 *)ModuleInfo, copy;
    IMAGEHLP_MODULE64 info;

    if (!out || out->SizeOfStruct != sizeof(copy)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!info64(hProcess, dwAddr, &info))
        return FALSE;
    copy.SizeOfStruct = sizeof(copy);
    copy.BaseOfImage = (DWORD)info.BaseOfImage;
    copy.ImageSize = info.ImageSize;
    copy.TimeDateStamp = info.TimeDateStamp;
    copy.CheckSum = info.CheckSum;
    copy.NumSyms = info.NumSyms;
    copy.SymType = info.SymType;
    memcpy(copy.ModuleName, info.ModuleName, sizeof(copy.ModuleName));
    memcpy(copy.ImageName, info.ImageName, sizeof(copy.ImageName));
    memcpy(copy.LoadedImageName, info.LoadedImageName, sizeof(copy.LoadedImageName));
    *out = copy;
    return TRUE;
}

DW_EXPORT BOOL IMAGEAPI SymGetModuleInfoW(HANDLE hProcess, DWORD dwAddr,
                                          module_info32_wide_arg ModuleInfo)
{
    struct module_info32_wide *out = (struct module_info32_wide *)ModuleInfo, copy;
    IMAGEHLP_MODULE64 info;

    if (!out || out->SizeOfStruct != sizeof(copy)) {
        dw_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!info64(hProcess, dwAddr, &info))
        return FALSE;
    memset(&copy, 0, sizeof(copy));
    copy.SizeOfStruct = sizeof(copy);
    copy.BaseOfImage = (DWORD)info.BaseOfImage;
    copy.ImageSize = info.ImageSize;
    copy.TimeDateStamp = info.TimeDateStamp;
    copy.CheckSum = info.CheckSum;
    copy.NumSyms = info.NumSyms;
    copy.SymType = info.SymType;
    text_widen(info.ModuleName, copy.ModuleName, DW_ARRAY_SIZE(copy.ModuleName));
    text_widen(info.ImageName, copy.ImageName, DW_ARRAY_SIZE(copy.ImageName));
    text_widen(info.LoadedImageName, copy.LoadedImageName, DW_ARRAY_SIZE(copy.LoadedImageName));
    *out = copy;
    return TRUE;
}
