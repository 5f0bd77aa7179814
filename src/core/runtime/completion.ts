// Completion codes of statement execution: control flow returns a code instead of throwing.

export const NORMAL = 0;
export const BREAK = 1;
export const CONTINUE = 2;
export const RETURN = 3;
