/* x86 (i686) pieces of the emulator proof's test program that C cannot
 * express. Assembles with clang (i686-pc-windows-msvc) and
 * i686-w64-mingw32-as; AT&T syntax, C names carry the leading underscore.
 *
 * Every function here has an FPO_DATA record in .emufpo, which the runner's
 * function-table routine serves (the compiled C code has none: x86 images
 * carry no unwind data, FPO records live in PDBs). The records describe the
 * functions exactly as written:
 *   ulOffStart  .rva of the function
 *   cbProcSize  its length
 *   cdwLocals   DWORDs allocated by `sub esp` in the prolog
 *   cdwParams   DWORDs of parameters (stdcall: what `ret n` pops)
 *   attributes  cbProlog | cbRegs << 8 | fUseBP << 12 | cbFrame << 14
 * Functions that call something initialise all their locals first: the FPO
 * walk looks for the return address upwards from where the fixed frame puts
 * it (arguments pushed for a call lower ESP), and a stale return address in
 * an uninitialised local would be taken for it.
 *
 * .emumark holds records for the runner: { kind, begin RVA, end RVA };
 *   kind 1: [begin, end) is not checked (a longjmp restoring registers
 *           before switching stacks; __chkstk after it moved ESP below its
 *           own return address: no frame data can describe either).
 */

/* FPO_DATA for fn, from its end label, the end of its prolog, and its
 * locals, parameters, saved registers, fUseBP and frame type. */
#define FPO(fn, end, prolog_end, locals, params, regs, bp, frame) \
	.rva fn; .long end - fn; .long locals; .short params; \
	.byte prolog_end - fn; .byte (regs) | ((bp) << 4) | ((frame) << 6)
#define FRAME_FPO 0
#define FRAME_NONFPO 3

	.text

/* ---- the stack probes ----
 * __chkstk (MSVC): EAX = bytes to allocate; probes them page by page from
 * the caller's ESP down, then allocates them: returns with ESP = the
 * caller's ESP before the call - EAX. Preserves ECX and EDX; EAX is lost. */
	.globl __chkstk
__chkstk:
	push %ecx
.Lchk_prolog:
	lea 8(%esp), %ecx          /* the caller's ESP before the call */
	sub %eax, %ecx             /* the caller's ESP after the allocation */
	lea 8(%esp), %eax
1:	sub $0x1000, %eax
	cmp %ecx, %eax
	jb 2f
	testl %eax, (%eax)         /* touch each page from the top down */
	jmp 1b
2:	testl %eax, (%ecx)
	mov 4(%esp), %eax          /* the return address */
	mov %eax, -4(%ecx)         /* ... goes below the allocation */
	mov %esp, %eax
	lea -4(%ecx), %esp         /* switch */
.Lchk_switched:
	mov (%eax), %ecx
	ret
.Lchk_end:

/* ___chkstk_ms (mingw-w64): probes EAX bytes below the caller's ESP,
 * preserves every register and does not allocate (the caller subtracts). */
	.globl ___chkstk_ms
___chkstk_ms:
	push %ecx
	push %eax
.Lchkms_prolog:
	lea 12(%esp), %ecx         /* the caller's ESP before the call */
	sub %eax, %ecx             /* the lowest address it will use */
	lea 12(%esp), %eax
1:	sub $0x1000, %eax
	cmp %ecx, %eax
	jb 2f
	testl %eax, (%eax)
	jmp 1b
2:	testl %eax, (%ecx)
	pop %eax
	pop %ecx
	ret
.Lchkms_end:

/* ---- 64-bit division helpers: EBP used as a general register ----
 * Shift-and-subtract over 64 bits: EDX:EAX dividend in, quotient out;
 * ECX:EBX remainder; EDI:ESI divisor; EBP counts. */
.macro DIVLOOP
	xor %ebx, %ebx
	xor %ecx, %ecx
	mov $64, %ebp
1:	shl $1, %eax
	rcl $1, %edx
	rcl $1, %ebx
	rcl $1, %ecx
	cmp %edi, %ecx
	jb 3f
	ja 2f
	cmp %esi, %ebx
	jb 3f
2:	sub %esi, %ebx
	sbb %edi, %ecx
	inc %eax
3:	dec %ebp
	jnz 1b
.endm

/* (a_lo, a_hi, b_lo, b_hi) on the stack; the result in EDX:EAX. */
.macro DIVFN name, remainder, pop
	.globl \name
\name:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov 20(%esp), %eax
	mov 24(%esp), %edx
	mov 28(%esp), %esi
	mov 32(%esp), %edi
	DIVLOOP
.if \remainder
	mov %ebx, %eax
	mov %ecx, %edx
.endif
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret $\pop
.endm

	DIVFN __aullrem, 1, 16     /* MSVC helpers: stdcall, the callee pops */
.Laullrem_end:
	DIVFN __aulldiv, 0, 16
.Laulldiv_end:
	DIVFN ___umoddi3, 1, 0     /* libgcc's: cdecl */
.Lumoddi3_end:
	DIVFN ___udivdi3, 0, 0
.Ludivdi3_end:

/* ---- setjmp/longjmp (struct emu_jmp: ebx, esi, edi, ebp, esp, eip at 8-byte
 * strides) ---- */
	.globl _emu_setjmp
_emu_setjmp:
	mov 4(%esp), %ecx
	mov %ebx, 0(%ecx)
	mov %esi, 8(%ecx)
	mov %edi, 16(%ecx)
	mov %ebp, 24(%ecx)
	lea 4(%esp), %eax
	mov %eax, 32(%ecx)
	mov (%esp), %eax
	mov %eax, 40(%ecx)
	xor %eax, %eax
	ret
.Lsetjmp_end:

	.globl _emu_longjmp
_emu_longjmp:
	mov 4(%esp), %ecx
	mov 8(%esp), %eax
	test %eax, %eax
	jnz .Llj_restore
	inc %eax
.Llj_restore:
	mov 0(%ecx), %ebx
	mov 8(%ecx), %esi
	mov 16(%ecx), %edi
	mov 24(%ecx), %ebp
	mov 32(%ecx), %esp
	jmp *40(%ecx)
.Llj_end:

/* ---- a function whose last instruction is a call (noreturn): its return
 * address is the first byte of the next function, whose FPO data differs ---- */
	.globl _asm_die
_asm_die:
	push %esi
	push %edi
	sub $8, %esp
.Ldie_prolog:
	mov 20(%esp), %esi         /* jb */
	mov 24(%esp), %edi         /* value */
	movl $0, (%esp)
	movl $0, 4(%esp)
	push %edi
	push %esi
	xor %esi, %esi             /* clobber the saved registers */
	xor %edi, %edi
	call _emu_longjmp
.Ldie_end:

/* ---- the FPO test (issue #5): no frame pointer, locals allocated before
 * the registers are saved, arguments pushed for calls (ESP below the fixed
 * frame), stdcall (`ret 8`).
 *   u32 __stdcall emu_fpo_std(u32 a, u32 b), _emu_fpo_std@8 as C names it
 *     f = fpo_callee(a, b); g = fpo_ebp_asm(f ^ b); return f + g + a + b ---- */
	.globl _emu_fpo_std@8
_emu_fpo_std@8:
	sub $0x14, %esp
	push %ebx
	push %esi
	push %edi
.Lfs_prolog:
	mov 0x24(%esp), %ebx       /* a: the return address is at esp + 0x20 */
	mov 0x28(%esp), %esi       /* b */
	mov %ebx, 0x0c(%esp)
	mov %esi, 0x10(%esp)
	movl $0, 0x14(%esp)
	movl $0, 0x18(%esp)
	movl $0, 0x1c(%esp)
	lea (%ebx,%esi), %edi      /* a + b, live across both calls */
	push %esi
	push %ebx
	call _fpo_callee
	add $8, %esp
	mov %eax, 0x14(%esp)       /* f */
	xor %esi, %eax
	mov $0x5A5A5A5A, %ebx      /* clobber */
	mov %ebx, %esi
	push %eax
	call _fpo_ebp_asm
	add $4, %esp
	add 0x14(%esp), %eax
	add %edi, %eax
	pop %edi
	pop %esi
	pop %ebx
	add $0x14, %esp
	ret $8
.Lfs_end:

/* ---- FPO with EBP saved and used as a general register across a call:
 *   u32 fpo_ebp_asm(u32 x) { return fpo_callee(x + 0x1234, x) + (x + 0x1234) + x; } ---- */
	.globl _fpo_ebp_asm
_fpo_ebp_asm:
	push %ebp
	push %ebx
	sub $8, %esp
.Lfe_prolog:
	mov 0x14(%esp), %ebx       /* x */
	movl $0, (%esp)
	movl $0, 4(%esp)
	lea 0x1234(%ebx), %ebp
	push %ebx
	push %ebp
	call _fpo_callee
	add $8, %esp
	add %ebp, %eax
	add %ebx, %eax
	add $8, %esp
	pop %ebx
	pop %ebp
	ret
.Lfe_end:

/* ---- FRAME_NONFPO: a standard EBP frame described by FPO_DATA, with a
 * register saved after the frame is set up and a `lea esp, [ebp - 4]` epilog:
 *   u32 nonfpo_asm(u32 x) { return fpo_callee(x, 7) + x * 5; } ---- */
	.globl _nonfpo_asm
_nonfpo_asm:
	push %ebp
	mov %esp, %ebp
	push %ebx
	sub $0x10, %esp
.Lnf_prolog:
	mov 8(%ebp), %ebx
	movl $0, -0x14(%ebp)
	movl $0, -0x10(%ebp)
	movl $0, -0x0c(%ebp)
	movl $0, -0x08(%ebp)
	push $7
	push %ebx
	call _fpo_callee
	lea (%ebx,%ebx,4), %ebx
	add %ebx, %eax
	lea -4(%ebp), %esp
	pop %ebx
	pop %ebp
	ret
.Lnf_end:

/* ---- FPO_DATA ---- */
	.section .emufpo,"dr"
	.p2align 2
	FPO(__chkstk, .Lchk_end, .Lchk_prolog, 0, 0, 1, 0, FRAME_FPO)
	FPO(___chkstk_ms, .Lchkms_end, .Lchkms_prolog, 0, 0, 2, 0, FRAME_FPO)
	FPO(__aullrem, .Laullrem_end, __aullrem + 4, 0, 4, 4, 1, FRAME_FPO)
	FPO(__aulldiv, .Laulldiv_end, __aulldiv + 4, 0, 4, 4, 1, FRAME_FPO)
	FPO(___umoddi3, .Lumoddi3_end, ___umoddi3 + 4, 0, 4, 4, 1, FRAME_FPO)
	FPO(___udivdi3, .Ludivdi3_end, ___udivdi3 + 4, 0, 4, 4, 1, FRAME_FPO)
	FPO(_emu_setjmp, .Lsetjmp_end, _emu_setjmp, 0, 1, 0, 0, FRAME_FPO)
	FPO(_emu_longjmp, .Llj_end, _emu_longjmp, 0, 2, 0, 0, FRAME_FPO)
	FPO(_asm_die, .Ldie_end, .Ldie_prolog, 2, 2, 2, 0, FRAME_FPO)
	FPO(_emu_fpo_std@8, .Lfs_end, .Lfs_prolog, 5, 2, 3, 0, FRAME_FPO)
	FPO(_fpo_ebp_asm, .Lfe_end, .Lfe_prolog, 2, 1, 2, 1, FRAME_FPO)
	FPO(_nonfpo_asm, .Lnf_end, .Lnf_prolog, 4, 1, 1, 1, FRAME_NONFPO)

/* ---- records for the runner ---- */
	.section .emumark,"dr"
	.p2align 2
	.long 1
	.rva .Llj_restore, .Llj_end
	.long 1
	.rva .Lchk_switched, .Lchk_end
