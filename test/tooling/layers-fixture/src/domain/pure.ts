// Allowed: nothing outside src/domain.
export const pure = 'pure';
