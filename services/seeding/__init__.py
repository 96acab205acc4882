"""Content that is not written by staff: the demo articles (loaded through the same services
editors use) and labelled synthetic articles for load and scale tests."""
