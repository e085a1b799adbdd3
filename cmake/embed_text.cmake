# Turns a text file (IN) into a C source (OUT) defining NAME as a NULL-terminated array
# of its lines, so the text ships inside the program (used for the repro runtime).
file(READ "${IN}" text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "?" "\\?" text "${text}")
string(REPLACE "\n" "\",\n\"" text "${text}")
file(WRITE "${OUT}.tmp" "/* generated from ${IN} by cmake/embed_text.cmake: do not edit */\n#include <stddef.h>\nconst char *const ${NAME}[] = {\n\"${text}\", NULL};\n")
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)
