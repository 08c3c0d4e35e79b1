// The codecs of the built-in layers, in the order error messages list them.
import { activationLayerCodec } from './activation-layer.codec.js';
import { bidirectionalCodec } from './bidirectional.codec.js';
import type { AnyLayerCodec } from './codec.js';
import { denseCodec } from './dense.codec.js';
import { dropoutCodec } from './dropout.codec.js';
import { embeddingCodec } from './embedding.codec.js';
import { globalAveragePooling1DCodec, globalMaxPooling1DCodec } from './global-pooling.codec.js';
import { flattenCodec } from './flatten.codec.js';
import { gruCodec } from './gru.codec.js';
import { lstmCodec } from './lstm.codec.js';
import { maskingCodec } from './masking.codec.js';
import { repeatVectorCodec } from './repeat-vector.codec.js';
import { simpleRNNCodec } from './simple-rnn.codec.js';
import { timeDistributedCodec } from './time-distributed.codec.js';

/** The codecs of the layers that are not wrappers, which the built-in TimeDistributed codec wraps. */
const plainCodecs: readonly AnyLayerCodec[] = [
  denseCodec,
  simpleRNNCodec,
  lstmCodec,
  gruCodec,
  activationLayerCodec,
  dropoutCodec,
  maskingCodec,
  embeddingCodec,
  globalAveragePooling1DCodec,
  globalMaxPooling1DCodec,
  repeatVectorCodec,
  flattenCodec,
];

/** The codecs of Dense, SimpleRNN, LSTM, GRU, Activation, Dropout, Masking, Bidirectional (over SimpleRNN, LSTM and GRU), Embedding, GlobalAveragePooling1D, GlobalMaxPooling1D, RepeatVector, Flatten and TimeDistributed (over every other built-in layer): what model IO uses by default. */
export const builtinCodecs: readonly AnyLayerCodec[] = Object.freeze([
  denseCodec,
  simpleRNNCodec,
  lstmCodec,
  gruCodec,
  activationLayerCodec,
  dropoutCodec,
  maskingCodec,
  bidirectionalCodec({ codecs: [simpleRNNCodec, lstmCodec, gruCodec] }),
  embeddingCodec,
  globalAveragePooling1DCodec,
  globalMaxPooling1DCodec,
  repeatVectorCodec,
  flattenCodec,
  timeDistributedCodec({ codecs: plainCodecs }),
]);
