import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// a build machine shared by many builds can be slow to render: wait for what the tests expect, not for a clock
configure({ asyncUtilTimeout: 10000 });
afterEach(() => cleanup());
