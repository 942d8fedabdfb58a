// Registers CDKTF's Jest matchers (toHaveResourceWithProperties, ...) for every spec of this project;
// the side-effect import brings their type declarations into the spec compilation.
import 'cdktf/lib/testing/adapters/jest';
import { Testing } from 'cdktf';

Testing.setupJest();
