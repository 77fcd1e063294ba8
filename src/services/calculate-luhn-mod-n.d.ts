/** Types for calculate-luhn-mod-n (CommonJS, no types of its own): the Luhn mod N check character of `input`. */
declare module 'calculate-luhn-mod-n' {
  function calculateLuhnModN(codePointFromCharacter: (character: string) => number, characterFromCodePoint: (codePoint: number) => string, n: number, input: string): string;
  export default calculateLuhnModN;
}
