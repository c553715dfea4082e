import type { CardSnapshot } from '../../hooks/use-cards';

/** A token as the card view renders it. */
export type TokenViewData = CardSnapshot['modules'][number]['tokens'][number];
/** An e-ID as the card view renders it. */
export type CardEidView = TokenViewData['eids'][number];
