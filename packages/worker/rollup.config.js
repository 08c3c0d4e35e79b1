import { packageConfig } from '@rnnkit/rollup-config';

export default packageConfig(import.meta.url);
