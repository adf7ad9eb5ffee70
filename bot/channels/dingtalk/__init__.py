"""DingTalk (钉钉) robot in Stream mode."""
