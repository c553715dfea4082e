/**
 * Every feature's strings. A feature adds one file here (`<feature>.ts` exporting
 * `defineStrings(en, sv)`) and one entry in FEATURES.
 */
import type { FeatureStrings, StringTree } from '../merge';
import { cardStrings } from './card';
import { filesStrings } from './files';

/** The feature string files, merged after the shell's strings. */
export const FEATURES: ReadonlyArray<FeatureStrings<StringTree>> = [cardStrings, filesStrings];
