/**
 * The flite speech set for caption tests and the caption benchmark: everyday sentences
 * a Space might hear, in common words (the recogniser's language model knows them).
 */
export const SENTENCES = [
  'Hello there and welcome to the show.',
  'Today we talk about the weather in the mountains.',
  'Thank you all for joining us this evening.',
  'The music starts again in a few minutes.',
  'Please ask your questions at the end of the talk.',
  'We have a very special guest with us tonight.',
  'The weather will be cold and wet this weekend.',
  'I would like to thank everyone who made this possible.',
  'Let me know what you think about the new album.',
  'We will be back after a short break.',
  'The game was played in front of a large crowd.',
  'She said the meeting would start at nine in the morning.',
] as const;
