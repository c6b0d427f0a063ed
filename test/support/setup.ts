import nock from 'nock';

// Only loopback is reachable from tests: an unmocked call to OpenAI (or anywhere) fails.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
