"""Local models of the Telegram Bot API and the VK API: the test suite's fakes and the
playground's embedded servers, one model of each platform."""
