// 一事一评: the four ratings of a finished matter (score 4 best .. 1 worst), as the API stores them.
export const RATINGS = [
  { score: 4, zh: '满意', en: 'Satisfied' },
  { score: 3, zh: '基本满意', en: 'Basically satisfied' },
  { score: 2, zh: '一般', en: 'Average' },
  { score: 1, zh: '不满意', en: 'Dissatisfied' },
];
