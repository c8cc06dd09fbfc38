/*
 * Embeds providers/catalog.json in the binary as catalog_json (NUL-ended),
 * so the catalog stays a data file and the daemon needs no file at run time.
 */
    .section .rodata
    .global catalog_json
    .type catalog_json, @object
catalog_json:
    .incbin "providers/catalog.json"
    .byte 0
    .size catalog_json, . - catalog_json
    .section .note.GNU-stack, "", @progbits
